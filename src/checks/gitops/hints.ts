/**
 * The hint catalogue of the gitops runbook (Argo CD Applications). Commands are read-only.
 */
import { kubectl, sh, type Command, type Hint } from '../command.js';

/** The `argocd` CLI names an app outside the control-plane namespace as `namespace/name`. */
function appName(app: { namespace: string; name: string }, argocdNamespace: string): string {
  return app.namespace === argocdNamespace ? app.name : `${app.namespace}/${app.name}`;
}

function appCommands(app: { namespace: string; name: string }, argocdNamespace: string): Command[] {
  return [
    sh`argocd app get ${appName(app, argocdNamespace)}`,
    kubectl`describe application -n ${app.namespace} ${app.name}`,
  ];
}

/** Argo CD's CRDs are missing. */
export function argoNotInstalled(): string {
  return 'Install Argo CD, or point the doctor at the cluster that runs it.';
}

/** What is wrong with an Application, most telling first. */
export type AppProblem =
  | 'spec'
  | 'comparison'
  | 'sync-failed'
  | 'retries-exhausted'
  | 'degraded'
  | 'related'
  | 'stuck'
  | 'progressing'
  | 'out-of-sync'
  | 'wave'
  | 'warning';

/** The hint for an Application that is not Synced and Healthy. `related` names failing objects in its namespace. */
export function appUnhealthy(
  app: { namespace: string; name: string },
  problem: AppProblem,
  related: string | null,
  argocdNamespace: string,
): Hint {
  const subject = `Application ${app.namespace}/${app.name}`;
  const commands = appCommands(app, argocdNamespace);
  switch (problem) {
    case 'spec':
      return {
        hint: `Fix the spec of ${subject} in Git (source path, repo or destination); Argo CD rejects it.`,
        commands,
      };
    case 'comparison':
      return {
        hint: `Fix what stops Argo CD rendering ${subject} (chart, values or repo access), then refresh it.`,
        commands,
      };
    case 'sync-failed':
      return {
        hint: `Fix the resource the last sync of ${subject} could not apply, then sync it again.`,
        commands,
      };
    case 'retries-exhausted':
      return {
        hint: `Fix the resource the last sync of ${subject} could not apply, then sync it by hand or push a new commit: automated sync used up its retries and does not try this revision again.`,
        commands,
      };
    case 'stuck':
      return {
        hint: `Find the resource ${subject} waits for (argocd app get lists its health) and fix it; it is not rolling out, it is stuck.`,
        commands,
      };
    case 'wave':
      return {
        hint: `Give ${subject} an argocd.argoproj.io/sync-wave later than the secrets app's (it is at wave 1 in the seed), so its Secrets exist before its pods start.`,
        commands,
      };
    case 'related':
      return {
        hint: `Start with ${related}: it is failing in the destination namespace of ${subject} (see the runbooks above).`,
        commands,
      };
    case 'degraded':
      return {
        hint: `Find the Degraded resource of ${subject} and fix it; Argo CD shows which in its resource tree.`,
        commands,
      };
    case 'progressing':
      return {
        hint: `Wait for ${subject} to settle; if it stays Progressing, look at the resource it waits for.`,
        commands,
      };
    case 'out-of-sync':
      return { hint: `Sync ${subject}, or find why the live state drifts from Git.`, commands };
    default:
      return { hint: `Read the warning conditions of ${subject} and resolve them.`, commands };
  }
}
