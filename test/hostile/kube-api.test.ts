/**
 * A Kubernetes API server that misbehaves: silent, slow, paging forever, quoting our token back, sending
 * malformed or huge bodies, or names full of terminal escapes. The doctor must stop in time, say exit 3
 * unless it saw a real failure, and write a clean report anyway.
 */
import { describe, expect, it } from 'vitest';
import { application, certificate } from './fixtures.js';
import {
  boundedRun,
  allReports,
  canary,
  expectContract,
  reportFlags,
  runDoctor,
  tempDir,
  track,
  useHostileCleanup,
  writeKubeconfig,
} from './harness.js';
import {
  SERVER_VERSION,
  sendJson,
  startKubeApi,
  startSilentTcp,
  status,
  type HostileKubeApi,
} from './servers/kube-api.js';

useHostileCleanup();

/** A fake API server with a planted bearer token in the kubeconfig, and that kubeconfig. */
async function apiWithToken(): Promise<{
  api: HostileKubeApi;
  kubeconfig: string;
  token: string;
  dir: string;
}> {
  const api = track(await startKubeApi());
  const dir = await tempDir('kube');
  const token = canary('kubeBearer');
  const kubeconfig = await writeKubeconfig(dir, { server: api.url, caPem: api.ca.certPem, token });
  return { api, kubeconfig, token, dir };
}

describe('an API server that hangs', () => {
  it('exits within the deadline and writes the report when the API server accepts TCP and never answers', async () => {
    const silent = track(await startSilentTcp());
    const dir = await tempDir('silent');
    const token = canary('kubeBearer');
    const kubeconfig = await writeKubeconfig(dir, { server: silent.url, insecure: true, token });
    const run = await runDoctor({
      args: ['doctor', '--kubeconfig', kubeconfig, ...boundedRun(dir, 'json')],
    });
    await expectContract(run, { exitCode: 3, secrets: [token], hung: silent.hostPort, nothingChecked: true });
  });

  it('exits within the deadline and prints the plain tree when the API server completes TLS and never answers HTTP', async () => {
    const { api, kubeconfig, token, dir } = await apiWithToken();
    api.on('*', /.*/, () => {});
    const run = await runDoctor({
      args: ['doctor', '--kubeconfig', kubeconfig, '--timeout', '3s', ...reportFlags([`${dir}/up.prom`])],
    });
    await expectContract(run, { exitCode: 3, secrets: [token], hung: api.hostPort, nothingChecked: true });
  });

  it('counts the wait for /version against the deadline when /version answers just before it and lists hang', async () => {
    // The brief's 9 s of a 10 s deadline, scaled down: /version after 2.5 s of a 3 s deadline.
    const { api, kubeconfig, token, dir } = await apiWithToken();
    api.on('GET', '/version', (_req, res) => setTimeout(() => sendJson(res, 200, SERVER_VERSION), 2500));
    api.on('GET', /^\/apis?\//, () => {});
    const run = await runDoctor({
      args: [
        'doctor',
        '--kubeconfig',
        kubeconfig,
        '--timeout',
        '3s',
        '-o',
        'prometheus',
        ...reportFlags([`${dir}/r.json`, `${dir}/r.txt`]),
      ],
    });
    await expectContract(run, { exitCode: 3, secrets: [token], hung: api.hostPort, nothingChecked: true });
  });
});

describe('an API server that pages forever', () => {
  it('stops following a continue token it has already followed, and exits 3 in time', async () => {
    const { api, kubeconfig, token, dir } = await apiWithToken();
    api.on('GET', /\/applications$/, (_req, res) =>
      sendJson(res, 200, {
        kind: 'ApplicationList',
        apiVersion: 'argoproj.io/v1alpha1',
        metadata: { resourceVersion: '7', continue: 'eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6N30' },
        items: [application('web')],
      }),
    );
    const run = await runDoctor({
      args: [
        'doctor',
        '--kubeconfig',
        kubeconfig,
        '--only',
        'gitops',
        '--timeout',
        '3s',
        '-o',
        'json',
        ...reportFlags([`${dir}/r.md`]),
      ],
    });
    const followed = new Map<string, number>();
    for (const request of api.requests) {
      const next = request.query.get('continue');
      if (next) followed.set(next, (followed.get(next) ?? 0) + 1);
    }
    const most = Math.max(0, ...followed.values());
    await expectContract(
      run,
      { exitCode: 3, secrets: [token] },
      most > 2 ? [`the same continue token was followed ${most} times`] : [],
    );
  });

  it('stays within its memory bound and the deadline when every page brings a new continue token and 500 fat items', async () => {
    const { api, kubeconfig, token, dir } = await apiWithToken();
    const padding = 'x'.repeat(1500);
    const items = Array.from({ length: 500 }, (_, i) =>
      application(`app-${i}`, { health: 'Healthy', healthMessage: padding }),
    );
    const page = JSON.stringify({
      kind: 'ApplicationList',
      apiVersion: 'argoproj.io/v1alpha1',
      metadata: { resourceVersion: '7', continue: '__NEXT__' },
      items,
    });
    let pages = 0;
    api.on('GET', /\/applications$/, (_req, res) => {
      pages += 1;
      const body = page.replace('__NEXT__', `page-${pages}-${Math.random().toString(36).slice(2)}`);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    });
    const run = await runDoctor({
      args: [
        'doctor',
        '--kubeconfig',
        kubeconfig,
        '--only',
        'gitops',
        '--timeout',
        '3s',
        ...reportFlags([`${dir}/r.json`]),
      ],
    });
    await expectContract(run, { exitCode: 3, secrets: [token], maxRssMb: 300 });
  });
});

describe('an API server that quotes our credentials back', () => {
  it('never prints the bearer token when a list is refused with 403 and a Status message quoting it', async () => {
    const { api, kubeconfig, token, dir } = await apiWithToken();
    api.on('GET', /\/applications$/, (req, res) =>
      sendJson(
        res,
        403,
        status(
          403,
          'Forbidden',
          `applications.argoproj.io is forbidden: User "system:anonymous" cannot list resource "applications" ` +
            `in API group "argoproj.io" at the cluster scope (request had Authorization: ${req.headers.authorization})`,
        ),
      ),
    );
    const run = await runDoctor({
      args: ['doctor', '--kubeconfig', kubeconfig, '--only', 'gitops', ...boundedRun(dir, 'json')],
    });
    await expectContract(run, { exitCode: 3, secrets: [token] });
  });

  it('never prints the bearer token when /version answers 500 with a Status message quoting it', async () => {
    const { api, kubeconfig, token, dir } = await apiWithToken();
    api.on('GET', '/version', (req, res) =>
      sendJson(
        res,
        500,
        status(
          500,
          'InternalError',
          `Internal error occurred: authenticating "Authorization: ${req.headers.authorization}" failed`,
        ),
      ),
    );
    const run = await runDoctor({
      args: ['doctor', '--kubeconfig', kubeconfig, ...boundedRun(dir)],
    });
    await expectContract(run, { exitCode: 3, secrets: [token], nothingChecked: true });
  });
});

describe('an API server that sends malformed bodies', () => {
  const cases: [string, (api: HostileKubeApi) => void, string[]][] = [
    [
      'a list body that is not JSON',
      (api) =>
        api.on('GET', /\/applications$/, (_req, res) => {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end('<html><body>502 Bad Gateway</body></html>');
        }),
      ['--only', 'gitops'],
    ],
    [
      '`items` that is an object, not an array',
      (api) =>
        api.on('GET', /\/applications$/, (_req, res) =>
          sendJson(res, 200, { kind: 'ApplicationList', metadata: {}, items: { web: application('web') } }),
        ),
      ['--only', 'gitops'],
    ],
    [
      '`items` that is a string',
      (api) =>
        api.on('GET', /\/applications$/, (_req, res) =>
          sendJson(res, 200, { kind: 'ApplicationList', metadata: {}, items: 'web' }),
        ),
      ['--only', 'gitops'],
    ],
    [
      'an item whose metadata is null',
      (api) =>
        api.on('GET', /\/applications$/, (_req, res) =>
          sendJson(res, 200, {
            kind: 'ApplicationList',
            metadata: {},
            items: [application('web'), { ...application('ghost'), metadata: null }],
          }),
        ),
      ['--only', 'gitops'],
    ],
  ];

  it.each(cases)(
    'judges %s as could-not-check (exit 3), not as its own bug',
    async (_name, misbehave, only) => {
      const { api, kubeconfig, token, dir } = await apiWithToken();
      misbehave(api);
      const run = await runDoctor({
        args: ['doctor', '--kubeconfig', kubeconfig, ...only, ...boundedRun(dir, 'json')],
      });
      await expectContract(run, { exitCode: 3, secrets: [token] });
    },
  );

  // A field of the wrong shape inside an object is read as absent (the list itself is fine): a Certificate
  // whose conditions are a string has no Ready condition, which is a failure, not the doctor's own bug.
  it('reads Certificate conditions that are a string as no conditions, and does not call it its own bug', async () => {
    const { api, kubeconfig, token, dir } = await apiWithToken();
    api.objects.push(certificate('web', 'plate-stg', 'Ready=True'));
    const run = await runDoctor({
      args: [
        'doctor',
        '--kubeconfig',
        kubeconfig,
        '--only',
        'ingress.certificates',
        ...boundedRun(dir, 'json'),
      ],
    });
    await expectContract(run, { exitCode: 2, secrets: [token] });
    expect(run.stdout).toContain('"subject": "Certificate plate-stg/web"');
    expect(run.stdout).not.toContain('check crashed');
  });
});

describe('an API server that sends huge messages', () => {
  it('stays under 300 MB and prints under 1 MB when a dozen Applications carry a 2 MB condition message each', async () => {
    const { api, kubeconfig, token, dir } = await apiWithToken();
    // 12 × 2 MB: a 24 MB list, which a doctor that keeps only what it prints can read well under the bound.
    const huge =
      `rpc error: code = Unknown desc = ${'Manifest generation error (cached): '.repeat(60_000)}`.slice(
        0,
        2 * 1024 * 1024,
      );
    for (let i = 0; i < 12; i += 1) {
      api.objects.push(
        application(`big-${i}`, {
          health: 'Degraded',
          conditions: [
            { type: 'ComparisonError', message: huge, lastTransitionTime: new Date().toISOString() },
          ],
        }),
      );
    }
    const run = await runDoctor({
      args: [
        'doctor',
        '--kubeconfig',
        kubeconfig,
        '--only',
        'gitops',
        '--timeout',
        '10s',
        '-o',
        'json',
        ...reportFlags(allReports(dir)),
      ],
    });
    // Degraded Applications are a real failure the doctor could see: exit 2.
    await expectContract(run, { exitCode: 2, secrets: [token], maxRssMb: 300, maxOutputBytes: 1024 * 1024 });
  }, 40_000);
});

describe('an API server whose names and messages carry terminal escapes', () => {
  /** OSC title change, clear screen, colour, BEL, CR overtype, C1 CSI, DEL and a right-to-left override. */
  const HOSTILE =
    'ok\x1b]0;pwned\x07 \x1b[2J\x1b[31mred\x1b[0m \x07bell \rovertyped \u009b31m \x7f \u202Eexe.txt\u202C \u2066iso\u2069';

  async function hostileApplications() {
    const { api, kubeconfig, token, dir } = await apiWithToken();
    api.objects.push(
      application(`evil\x1b]0;pwned\x07app`, {
        health: 'Degraded',
        healthMessage: HOSTILE,
        conditions: [{ type: 'ComparisonError', message: HOSTILE }],
      }),
      application(`rtl\u202Egnp.exe`, {
        sync: 'OutOfSync',
        health: 'Degraded',
        healthMessage: `\x1b[2J${HOSTILE}`,
      }),
      application('cr\rovertype\x08\x08', { health: 'Missing', healthMessage: HOSTILE }),
    );
    return { api, kubeconfig, token, dir };
  }

  // stdout in the two formats people and scripts read; the report files cover markdown, JUnit, Prometheus,
  // HTML and the text tree in every run.
  it.each(['tree', 'json'])(
    'prints no raw control character with -o %s and in any report file',
    async (format) => {
      const { kubeconfig, token, dir } = await hostileApplications();
      const run = await runDoctor({
        args: [
          'doctor',
          '--kubeconfig',
          kubeconfig,
          '--only',
          'gitops',
          '--timeout',
          '3s',
          '-v',
          '-o',
          format,
          ...reportFlags(allReports(dir)),
        ],
      });
      await expectContract(run, { exitCode: 2, secrets: [token] });
    },
  );
});
