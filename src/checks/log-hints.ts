import { kubectl, type Command, type Hint } from './command.js';
/**
 * Hints for the controller-log steps (`ingress.cert-manager-logs`, `secrets.eso-logs`).
 * Each function returns one imperative sentence naming the object, and read-only commands runnable as printed.
 */

/** The object a log error names, as the hints print it. */
export interface HintObject {
  kind: string;
  namespace: string | null;
  name: string;
}

/** No pod matched any of the selectors tried. */
export function controllerPodsMissing(p: { component: string; namespace: string; profileKey: string }): Hint {
  return {
    hint: `Install or start the ${p.component} controller in ${p.namespace}, or set ${p.profileKey}.podSelectors in platform.yaml to the labels its pods carry.`,
    commands: [kubectl`get pods -n ${p.namespace} --show-labels`],
  };
}

/** The controller pod is not running, not ready, or restarted recently. */
export function controllerPodUnhealthy(p: { component: string; namespace: string; pod: string }): Hint {
  return {
    hint: `Find out from its events and previous logs why ${p.component} pod ${p.namespace}/${p.pod} is not running steadily.`,
    commands: [
      kubectl`describe pod -n ${p.namespace} ${p.pod}`,
      kubectl`logs -n ${p.namespace} ${p.pod} --previous --tail=50`,
    ],
  };
}

/** The controller container keeps crashing; OOMKilled and a panic each call for their own fix. */
export function controllerCrashLoop(p: {
  component: string;
  namespace: string;
  pod: string;
  reason: string | null;
  memoryLimit: string | null;
}): Hint {
  const commands = [
    kubectl`logs -n ${p.namespace} ${p.pod} --previous --tail=50`,
    kubectl`describe pod -n ${p.namespace} ${p.pod}`,
  ];
  if (p.reason === 'OOMKilled') {
    return {
      hint: `Raise the memory limit of the ${p.component} controller${p.memoryLimit ? ` (now ${p.memoryLimit})` : ''} in its Helm values; pod ${p.namespace}/${p.pod} is killed for running out of memory.`,
      commands: [...commands, kubectl`top pod -n ${p.namespace} --containers`],
    };
  }
  return {
    hint: `Fix what the last lines of the previous ${p.component} instance name (a panic, a bad flag, an unreachable API); pod ${p.namespace}/${p.pod} crashes on start.`,
    commands,
  };
}

/** Stores read their OpenBao token from Kubernetes; what they cannot find there is the token Secret's fault. */
const isStore = (o: HintObject | null) => o?.kind === 'SecretStore' || o?.kind === 'ClusterSecretStore';

/** Errors whose cause the text alone identifies, with what to do about it. */
const KNOWN_CAUSES: { pattern: RegExp; hint: (o: HintObject | null) => string }[] = [
  {
    // ESO's Kubernetes-side resolver (runtime/esutils/resolvers/secret_ref.go): no call reached OpenBao.
    pattern: /cannot get Kubernetes secret|cannot find secret data for key/,
    hint: (o) =>
      isStore(o)
        ? `Create the token Secret that ${describe(o)} names in auth.tokenSecretRef, with the key it names (scripts/openbao/create-token.sh); ESO looks for it in Kubernetes before it asks OpenBao.`
        : `Add the missing key to the OpenBao path ${describe(o)} reads, or correct its remoteRef.property.`,
  },
  {
    pattern: /urn:ietf:params:acme:error:rateLimited/,
    hint: () =>
      "Wait until the Let's Encrypt rate limit in the error resets, and fix what made the earlier orders fail before retrying.",
  },
  {
    pattern: /wrong status code '(?:404|403|503)', expected '200'/,
    hint: (o) =>
      `Make the HTTP-01 solver for ${describe(o)} reachable through ingress-nginx; the self-check did not get 200 from /.well-known/acme-challenge/.`,
  },
  {
    // ESO's wrapper when the store failed validation: the store's own entry carries the cause.
    pattern: /SecretStore "[^"]+" is not ready/,
    hint: (o) =>
      `Fix the SecretStore that ${describe(o)} uses first; this error only repeats the store's failure.`,
  },
  {
    pattern: /Vault is sealed/,
    hint: () => 'Unseal OpenBao; External Secrets cannot read or validate anything while it is sealed.',
  },
  {
    pattern: /invalid vault credentials|permission denied/,
    hint: (o) =>
      `Replace the OpenBao token that ${describe(o)} uses; OpenBao rejects it (expired, revoked or missing a policy).`,
  },
];

function describe(o: HintObject | null): string {
  if (!o) return 'this object';
  return o.namespace ? `${o.kind} ${o.namespace}/${o.name}` : `${o.kind} ${o.name}`;
}

/** A controller keeps logging an error; points at the object it names and the raw lines. */
export function logError(p: {
  component: string;
  object: HintObject | null;
  /** The normalised message and error, used only to recognise known causes. */
  text: string;
  logsCommand: Command;
  /** A warning line: the controller warns about the object rather than failing on it. */
  isWarning?: boolean;
}): Hint {
  const known = KNOWN_CAUSES.find((c) => c.pattern.test(p.text));
  const { object } = p;
  if (!object) {
    return {
      hint: known?.hint(null) ?? `Read the ${p.component} log lines around this error; it names no object.`,
      commands: [p.logsCommand],
    };
  }
  const where = object.namespace ? ['-n', object.namespace] : [];
  return {
    hint:
      known?.hint(object) ??
      `Check the status and events of ${describe(object)}; ${p.component} ${p.isWarning ? 'warns about' : 'fails on'} it.`,
    commands: [kubectl`describe ${object.kind.toLowerCase()} ${where} ${object.name}`, p.logsCommand],
  };
}
