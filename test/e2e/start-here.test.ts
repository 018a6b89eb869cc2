import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';

/** The sandbox dates the rate limit's reset relative to now; everything else is fixed. */
const steady = (text: string) => text.replace(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/g, '<time>');

async function output(scenario: string, format: 'tree' | 'markdown'): Promise<string> {
  const run = await runCli(['doctor', '--demo', scenario, '-o', format]);
  expect(run.exitCode).toBe(2);
  return steady(run.stdout);
}

/** The plain tree's Start here block: from its title to the blank line after it. */
async function treeStartHere(scenario: string): Promise<string[]> {
  const lines = (await output(scenario, 'tree')).split('\n');
  const start = lines.indexOf('Start here');
  expect(start).toBe(3);
  return lines.slice(start, lines.indexOf('', start));
}

/** The markdown Start here section, up to the next section. */
async function markdownStartHere(scenario: string): Promise<string> {
  const text = await output(scenario, 'markdown');
  const start = text.indexOf('## Start here');
  return text.slice(start, text.indexOf('\n## ', start) + 1);
}

describe('Start here, exactly as an engineer reads it', () => {
  it('puts the sealed OpenBao first, explaining the ten failures that follow from it', async () => {
    expect(await treeStartHere('openbao-sealed')).toEqual([
      'Start here',
      '  ✖ OpenBao openbao/openbao:8200 — sealed (HTTP 503, version 2.2.0); openbao.openbao.svc is not resolvable from here; reached through the API server proxy [OPENBAO_SEALED]',
      '      explains 10 other failures',
      '      → Unseal OpenBao openbao/openbao:8200 with the unseal keys (bao operator unseal); nothing can read secrets while it is sealed.',
      '      $ kubectl exec -n openbao svc/openbao -- bao status',
    ]);
    expect(await markdownStartHere('openbao-sealed')).toBe(
      [
        '## Start here',
        '### ✖ FAIL · OpenBao openbao/openbao:8200',
        '`secrets.openbao` · OpenBao is unsealed and each store token can read its mapped secrets',
        'sealed (HTTP 503, version 2.2.0); openbao.openbao.svc is not resolvable from here; reached through the API server proxy · `OPENBAO_SEALED`',
        'Explains 10 other failures.',
        '**Next:** Unseal OpenBao openbao/openbao:8200 with the unseal keys (bao operator unseal); nothing can read secrets while it is sealed.',
        '```sh\nkubectl exec -n openbao svc/openbao -- bao status\n```',
        '',
      ].join('\n\n'),
    );
    // One heading per subject: the store's own finding and its controller's log line sit together,
    // each pointing back to Start here, and the cause's hint is not repeated under them.
    const markdown = await output('openbao-sealed', 'markdown');
    const store = markdown.slice(
      markdown.indexOf('#### ✖ FAIL · SecretStore plate-prod/openbao-backend'),
      markdown.indexOf('#### ✖ FAIL · SecretStore plate-stg/openbao-backend'),
    );
    expect(store.match(/Explained by OpenBao openbao\/openbao:8200 \(see Start here\)\./g)).toHaveLength(2);
    expect(store).toContain('\n\n`secrets.eso-logs` · Reconciler error: could not validate provider:');
    expect(store).not.toContain('Unseal OpenBao openbao/openbao:8200 with the unseal keys');
  });

  it('puts the rate-limited Certificate before the missing Secret, the fallback certificate and the logs', async () => {
    expect(await treeStartHere('cert-rate-limited')).toEqual([
      'Start here',
      '  ✖ Certificate plate-stg/stg-cocdev-co-kr-tls — not Ready: ACME rate limit (429 rateLimited) on Order plate-stg/stg-cocdev-co-kr-tls-3-2961520731: too many certificates (5) already issued for this exact set of identifiers in the last 168h0m0s, retry after <time> [CERT_RATE_LIMITED]',
      '      explains 3 other failures and 1 warning',
      '      → Wait until <time> before cert-manager retries Certificate plate-stg/stg-cocdev-co-kr-tls; fix what made earlier attempts fail first.',
      '      $ kubectl describe certificate -n plate-stg stg-cocdev-co-kr-tls',
      '      $ kubectl get certificaterequests,orders,challenges -n plate-stg',
      '      $ cmctl status certificate -n plate-stg stg-cocdev-co-kr-tls',
    ]);
    const tree = await output('cert-rate-limited', 'tree');
    // The symptoms point back to it instead of repeating advice.
    expect(tree).toContain(
      [
        '      ✖ Secret plate-stg/stg-cocdev-co-kr-tls — does not exist (TLS Secret of Ingress plate-stg/plate-ingress) [TLS_SECRET_MISSING]',
        '          ↳ explained by Certificate plate-stg/stg-cocdev-co-kr-tls',
      ].join('\n'),
    );
    expect(await markdownStartHere('cert-rate-limited')).toContain(
      '### ✖ FAIL · Certificate plate-stg/stg-cocdev-co-kr-tls\n\n`ingress.certificates` · Certificates are issued, valid and cover the Ingress hosts\n\n',
    );
  });

  it('puts the OpenBao path without the new key first, explaining the failed sync and the stuck pod', async () => {
    expect(await treeStartHere('secret-sync-error')).toEqual([
      'Start here',
      '  ✖ OpenBao path server/staging — lacks REDIS_PASSWORD (has DB_PASSWORD, JWT_SECRET, OPENAI_API_KEY); needed by ExternalSecret plate-stg/plate-api-stg-env [OPENBAO_KEYS_MISSING]',
      '      explains 4 other failures',
      '      → Add the missing keys to server/staging in OpenBao, or fix remoteRef.property in ExternalSecret plate-stg/plate-api-stg-env, ExternalSecret plate-stg/plate-llm-stg-env.',
      '      $ kubectl exec -n openbao svc/openbao -- bao kv metadata get -mount=server staging',
    ]);
    const markdown = await output('secret-sync-error', 'markdown');
    expect(await markdownStartHere('secret-sync-error')).toContain('Explains 4 other failures.');
    // The rest follows grouped by step in runbook order, one heading per subject.
    const headings = markdown.split('\n').filter((line) => /^#{2,4} /.test(line));
    expect(headings).toEqual([
      '## Start here',
      '### ✖ FAIL · OpenBao path server/staging',
      '## What changed (7 changes, newest first; times in UTC, "ago" counts back from the run)',
      '## Other failures and warnings',
      '### ExternalSecrets are synced from their store (`secrets.externalsecrets`)',
      '#### ✖ FAIL · ExternalSecret plate-stg/plate-api-stg-env',
      '### Target Secrets exist with every mapped key, and pods find them (`secrets.target-secrets`)',
      '#### ✖ FAIL · Pod plate-stg/plate-api-stg-6f4d8b7c9-t7k2w',
      '#### ✖ FAIL · Secret plate-stg/plate-api-stg-env',
      '## Passed and skipped',
    ]);
  });
  it('names the dangling CNAME and its target, never an A record beside the alias', async () => {
    const lines = await treeStartHere('dns-dangling-cname');
    expect(lines.slice(0, 3)).toEqual([
      'Start here',
      '  ✖ host stg.cocdev.co.kr — is a CNAME → plate-lb-old.cocdev.co.kr, which does not resolve (NXDOMAIN) [DNS_DANGLING_CNAME]',
      '      → Repoint the CNAME of stg.cocdev.co.kr: it targets plate-lb-old.cocdev.co.kr, which does not resolve; replace it with an A record for 127.0.10.10, or recreate plate-lb-old.cocdev.co.kr. An A record cannot sit beside the CNAME.',
    ]);
    expect(lines.slice(3).map((l) => l.replace(/@127\.0\.0\.1 -p \d+/, '@<sandbox resolver>'))).toEqual([
      '      $ dig +short stg.cocdev.co.kr CNAME @<sandbox resolver>',
      '      $ dig +short plate-lb-old.cocdev.co.kr @<sandbox resolver>',
      '      $ kubectl get svc -n ingress-nginx ingress-nginx-controller',
    ]);
  });

  it('fails the still-Ready certificate whose renewal keeps failing, with the Challenge that says why', async () => {
    const lines = await treeStartHere('cert-renewal-failing');
    expect(lines.slice(0, 4)).toEqual(
      [
        'Start here',
        '  ✖ Certificate plate-stg/stg-cocdev-co-kr-tls — Ready, but renewal keeps failing (3 failed attempts, last 40m ago): HTTP-01 self check for stg.cocdev.co.kr fails on Challenge plate-stg/stg-cocdev-co-kr-tls-3-2961520731-1208554888: acme: authorization error for stg.cocdev.co.kr: 400 urn:ietf:params:acme:error:connection: 127.0.10.10: Fetching http://stg.cocdev.co.kr/.well-known/acme-challenge/pTuOl9IU-pPK-fzz7EMa7AQIuj8qvq1NqScnrukREsk: Timeout during connect (likely firewall problem); expires in 4 days (<day>) [CERT_RENEWAL_FAILING]',
        '      explains 2 other warnings',
        "      → Make http://stg.cocdev.co.kr/.well-known/acme-challenge/ reach cert-manager's solver: DNS must point at the load balancer and port 80 must not be blocked or redirected for that path.",
      ].map((l) => l.replace('<day>', lines[1]!.match(/\d{4}-\d{2}-\d{2}/)?.[0] ?? '')),
    );
  });
});
