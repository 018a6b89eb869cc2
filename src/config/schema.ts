import { z } from 'zod';
import { InvalidValue, parseHttpUrl } from '../values.js';

/**
 * platform.yaml: environment profiles for the doctor. Every field is optional; without a file the
 * doctor discovers what it can see. Unknown keys are errors (a typo must not silently do nothing).
 * docs/config.md documents each field; examples/platform.yaml matches ../shared/platform.md.
 */
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

const objectRef = z.strictObject({ namespace: z.string().min(1), name: z.string().min(1) });

const profile = z.strictObject({
  /** kubeconfig context to use for this environment. */
  context: z.string().min(1).optional(),
  /** Application namespaces (Ingresses, ExternalSecrets, pods). Default: all namespaces. */
  namespaces: z.array(z.string().min(1)).optional(),
  /** Hosts that must be served; a host missing from every Ingress is a failure. */
  hosts: z.array(z.string().min(1)).optional(),
  ingress: z
    .strictObject({
      /** The ingress controller's LoadBalancer Service. Default: found in `ingress-nginx`. */
      controllerService: objectRef.optional(),
    })
    .optional(),
  certManager: z
    .strictObject({
      namespace: z.string().min(1).optional(),
      /** Label selectors tried in order for the controller pods. */
      podSelectors: z.array(z.string().min(1)).optional(),
    })
    .optional(),
  externalSecrets: z
    .strictObject({
      namespace: z.string().min(1).optional(),
      podSelectors: z.array(z.string().min(1)).optional(),
    })
    .optional(),
  openbao: z
    .strictObject({
      /** Override for every store's server, e.g. `https://bao.example:8200`. */
      address: httpUrl.optional(),
    })
    .optional(),
  argocd: z.strictObject({ namespace: z.string().min(1).optional() }).optional(),
});

export const configSchema = z.strictObject({
  /** The profile `--env` picks when none is given. */
  defaultEnv: z.string().min(1).optional(),
  environments: z
    .record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'environment names are lower-case words'), profile)
    .optional(),
  logs: z
    .strictObject({
      tailLines: z.number().int().positive().max(10_000).optional(),
      sinceMinutes: z.number().int().positive().max(10_080).optional(),
    })
    .optional(),
});

export type ConfigFile = z.infer<typeof configSchema>;
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
}

/** Defaults match the upstream Helm charts and the platform's runbooks. */
export function resolveProfile(
  name: string | null,
  file: ProfileFile | undefined,
  logs: ConfigFile['logs'],
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
  };
}
