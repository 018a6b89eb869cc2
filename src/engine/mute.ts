/**
 * Muting known issues (platform.yaml `mute:`): applied by the engine to each finished step, after evaluate
 * and finalize, so one-shot runs, `--watch`, the UI's rerun and the CronJob all see the same thing.
 * A muted finding becomes a `skip` that says until when and why; causes only weigh fail and warn, so
 * a muted leaf explains nothing and is explained by nothing. After its `until` day the mute lets go by
 * itself, and the expired entry becomes a warning of its own.
 */
import picomatch from 'picomatch';
import { FINDINGS, isFindingCode } from '../checks/codes.js';
import { worstOf, type ResultNode, type StepId } from '../checks/result.js';
import type { Scope } from '../checks/step.js';

/** One `mute:` entry of the selected environment. */
export type Mute = Scope['profile']['mutes'][number];

const DAY_MS = 86_400_000;

/** Whether `mute` still holds at `now`: through the whole of its `until` day, in UTC. */
export function isMuteActive(mute: Mute, now: Date): boolean {
  return now.getTime() < Date.parse(`${mute.until}T00:00:00Z`) + DAY_MS;
}

/**
 * Bash-mode globs: subjects are not paths, so `*` also matches `/` (`Certificate plate-stg/*`,
 * `Pod cert-manager/*`); braces and classes work as in a shell.
 */
function matcher(mute: Mute): (subject: string) => boolean {
  return picomatch(mute.subject, { bash: true, dot: true });
}

/** The step an expired mute is reported under: the first planned step that can report its code. */
function homeStep(code: string, plannedSteps: readonly StepId[]): StepId | undefined {
  const steps = isFindingCode(code) ? FINDINGS[code].steps : 'any';
  return plannedSteps.find((id) => steps === 'any' || steps.includes(id));
}

/** A muted finding: skipped, saying until when and why, and what it was; it rests on and covers nothing. */
function muted(leaf: ResultNode, mute: Mute): ResultNode {
  const { dependsOn: _dependsOn, covers: _covers, ...rest } = leaf;
  const was = leaf.message ? `${leaf.status}: ${leaf.message}` : leaf.status;
  return { ...rest, status: 'skip', message: `muted until ${mute.until}: ${mute.reason} (was ${was})` };
}

function expiredLeaf(stepId: StepId, mute: Mute): ResultNode {
  const subject = `mute ${mute.code} ${mute.subject}`;
  return {
    id: `${stepId}:${subject}`,
    title: subject,
    subject,
    status: 'warn',
    code: 'MUTE_EXPIRED',
    message: `expired after ${mute.until} (${mute.reason}); ${mute.code} findings on ${mute.subject} count again`,
    hint: `Remove this mute from platform.yaml once the issue is fixed, or renew its until date if it is still accepted.`,
    commands: [],
  };
}

/** A tree whose parents' statuses are the worst of their children again, after leaves changed. */
function regroup(node: ResultNode): ResultNode {
  if (!node.children?.length) return node;
  const children = node.children.map(regroup);
  return { ...node, children, status: worstOf(children.map((c) => c.status)) };
}

/**
 * Applies `mutes` to one finished step's node: every non-pass leaf whose code and subject a holding mute
 * matches becomes a muted skip; every expired mute whose home this step is adds a warning leaf.
 * `plannedSteps` are the step ids of the run in contract order.
 */
export function applyMutes(
  step: ResultNode,
  mutes: readonly Mute[],
  now: Date,
  plannedSteps: readonly StepId[],
): ResultNode {
  if (mutes.length === 0) return step;
  const holding = mutes.filter((m) => isMuteActive(m, now)).map((m) => ({ mute: m, matches: matcher(m) }));
  const mute = (node: ResultNode): ResultNode => {
    if (node.children?.length) return { ...node, children: node.children.map(mute) };
    if (node.status === 'pass' || node.status === 'skip' || node.code === undefined) return node;
    const subject = node.subject ?? node.id;
    const found = holding.find((h) => h.mute.code === node.code && h.matches(subject));
    return found ? muted(node, found.mute) : node;
  };
  const expired = mutes
    .filter((m) => !isMuteActive(m, now) && homeStep(m.code, plannedSteps) === step.id)
    .map((m) => expiredLeaf(step.id, m));
  const result = mute(step);
  if (expired.length === 0) return regroup(result);
  if (result.children?.length) return regroup({ ...result, children: [...result.children, ...expired] });
  // A step that is its own leaf (an error, nothing in scope) becomes its own first child.
  const { id, title, durationMs, ...self } = result;
  const parent = { id, title, status: result.status, ...(durationMs === undefined ? {} : { durationMs }) };
  return regroup({ ...parent, children: [{ ...self, id: `${id}:step`, title }, ...expired] });
}
