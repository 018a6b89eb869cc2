import { z } from 'zod';
import { InvalidValue, parseHttpUrl } from '../values.js';

/** An http(s) URL, checked by the same parser as `--openbao-addr` and BAO_ADDR. */
const httpUrl = z.string().transform((text, ctx) => {
  try {
    return parseHttpUrl(text);
  } catch (error) {
    if (!(error instanceof InvalidValue)) throw error;
    ctx.addIssue({ code: 'custom', message: error.message });
    return z.NEVER;
  }
});

const name = z.string().min(1);
const objectRef = z.strictObject({ namespace: name, name });
const podSelectors = z.array(name).describe('Label selectors tried in order for the controller pods.');

const profile = z.strictObject({
  context: name.describe('kubeconfig context to use for this environment.').optional(),
  namespaces: z
    .array(name)
    .describe('Application namespaces (Ingresses, ExternalSecrets, pods). Default: all namespaces.')
    .optional(),
  hosts: z
    .array(name)
    .describe('Hosts that must be served; a host missing from every Ingress is a failure.')
    .optional(),
  ingress: z
    .strictObject({
      controllerService: objectRef
        .describe("The ingress controller's LoadBalancer Service. Default: found in `ingress-nginx`.")
        .optional(),
    })
    .optional(),
  certManager: z
    .strictObject({
      namespace: name.describe('Default: cert-manager.').optional(),
      podSelectors: podSelectors.optional(),
    })
    .optional(),
  externalSecrets: z
    .strictObject({
      namespace: name.describe('Default: external-secrets.').optional(),
      podSelectors: podSelectors.optional(),
    })
    .optional(),
  openbao: z
    .strictObject({
      address: httpUrl
        .describe("Override for every store's server, e.g. `https://bao.example:8200`.")
        .optional(),
    })
    .optional(),
  argocd: z.strictObject({ namespace: name.describe('Default: argocd.').optional() }).optional(),
});

/** How finding codes are spelled (src/checks/codes.ts); which codes exist is checked when the file is loaded. */
const CODE_SPELLING = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;

const mute = z.strictObject({
  code: z
    .string()
    .regex(CODE_SPELLING, 'a finding code is SCREAMING_SNAKE_CASE, e.g. CERT_EXPIRING')
    .describe('The finding code to mute (docs/findings.md).'),
  subject: name.describe(
    'Glob over the subject of the finding, e.g. `Certificate plate-stg/*` or `host *.cocdev.co.kr` (`*` also crosses `/`).',
  ),
  env: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'environment names are lower-case words')
    .describe('Only in this environment profile; default: every environment.')
    .optional(),
  reason: name.describe('Why the finding is accepted for now; shown in place of the finding.'),
  until: z.iso
    .date()
    .describe(
      'Last day (UTC) the mute holds, `YYYY-MM-DD`; after it the finding counts again and the expired mute is a warning.',
    ),
});

/**
 * platform.yaml: environment profiles for the doctor. Every field is optional; without a file the
 * doctor discovers what it can see. Unknown keys are errors (a typo must not silently do nothing).
 * docs/config.md documents each field, docs/config.schema.json is generated from this, and
 * examples/platform.yaml matches ../shared/platform.md.
 */
export const configSchema = z.strictObject({
  defaultEnv: name.describe('The profile `--env` picks when none is given.').optional(),
  environments: z
    .record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'environment names are lower-case words'), profile)
    .describe('Profiles by environment name (`--env NAME`).')
    .optional(),
  logs: z
    .strictObject({
      tailLines: z
        .number()
        .int()
        .positive()
        .max(10_000)
        .describe('Controller log lines read per pod.')
        .optional(),
      sinceMinutes: z
        .number()
        .int()
        .positive()
        .max(10_080)
        .describe('How far back controller logs are read.')
        .optional(),
    })
    .optional(),
  mute: z
    .array(mute)
    .describe('Known issues to mute: by finding code and subject glob, each with a reason and an end date.')
    .optional(),
});

export type ConfigFile = z.infer<typeof configSchema>;
/** One `mute:` entry of platform.yaml. */
export type MuteFile = z.infer<typeof mute>;

/** A mute that applies to the selected environment: what the engine matches findings against. */
export interface Mute {
  code: string;
  /** A picomatch glob over the finding's subject, in bash mode (`*` also matches `/`). */
  subject: string;
  reason: string;
  /** `YYYY-MM-DD`: the last day (UTC) the mute holds. */
  until: string;
}
export type ProfileFile = z.infer<typeof profile>;

/** A profile with every default filled in: what steps read from `ctx.scope.profile`. */
export interface Profile {
  name: string | null;
  context: string | null;
  /** Null means all namespaces. */
  namespaces: string[] | null;
  hosts: string[];
  ingress: { controllerService: { namespace: string; name: string } | null };
  certManager: { namespace: string; podSelectors: string[] };
  externalSecrets: { namespace: string; podSelectors: string[] };
  openbao: { address: string | null };
  argocd: { namespace: string };
  logs: { tailLines: number; sinceSeconds: number };
  /** The `mute:` entries for this environment (no `env`, or this one), in file order. */
  mutes: Mute[];
}

/** Defaults match the upstream Helm charts and the platform's runbooks. */
export function resolveProfile(
  name: string | null,
  file: ProfileFile | undefined,
  logs: ConfigFile['logs'],
  mutes: readonly MuteFile[] = [],
): Profile {
  return {
    name,
    context: file?.context ?? null,
    namespaces: file?.namespaces ?? null,
    hosts: file?.hosts ?? [],
    ingress: {
      controllerService: file?.ingress?.controllerService ?? null,
    },
    certManager: {
      namespace: file?.certManager?.namespace ?? 'cert-manager',
      // The runbook's `app=cert-manager` (Helm chart label) first, then the recommended labels.
      podSelectors: file?.certManager?.podSelectors ?? [
        'app=cert-manager',
        'app.kubernetes.io/name=cert-manager,app.kubernetes.io/component=controller',
      ],
    },
    externalSecrets: {
      namespace: file?.externalSecrets?.namespace ?? 'external-secrets',
      podSelectors: file?.externalSecrets?.podSelectors ?? [
        'app.kubernetes.io/name=external-secrets',
        'app.kubernetes.io/name=external-secrets,app.kubernetes.io/instance=external-secrets',
      ],
    },
    openbao: { address: file?.openbao?.address ?? null },
    argocd: { namespace: file?.argocd?.namespace ?? 'argocd' },
    logs: { tailLines: logs?.tailLines ?? 200, sinceSeconds: (logs?.sinceMinutes ?? 60) * 60 },
    mutes: mutes
      .filter((m) => m.env === undefined || m.env === name)
      .map(({ code, subject, reason, until }) => ({ code, subject, reason, until })),
  };
}
