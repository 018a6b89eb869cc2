/**
 * Which failures explain which: a pure analysis over finished result trees. A leaf says what it rests
 * on (`dependsOn`: an ExternalSecret on its SecretStore, a pod on a Secret) and what it speaks for
 * (`covers`: a Certificate for the Secret it writes and the Orders it made). From those links every
 * failing or warning leaf is either a cause or explained by one, and causes are ranked by how much
 * they explain: the "Start here" of every report.
 */
import { z } from 'zod';
import { compareStatus, type ResultNode } from './result.js';

export const causeSchema = z
  .strictObject({
    id: z.string().describe('The leaf id of the cause.'),
    explains: z
      .array(z.string())
      .describe('Leaf ids of the other failures and warnings it explains, in tree order.'),
  })
  .meta({ id: 'cause' });

export type Cause = z.infer<typeof causeSchema>;

/** The same finding about the same object, as two steps can report it (an issuer both certificate steps judge). */
export function isSameFinding(a: ResultNode, b: ResultNode): boolean {
  return a.subject !== undefined && a.subject === b.subject && a.code !== undefined && a.code === b.code;
}

/** A leaf that is failing or warning: the two statuses a cause can have and a cause can explain. */
function isTroubled(leaf: ResultNode): boolean {
  return leaf.status === 'fail' || leaf.status === 'warn';
}

/** Every leaf under `nodes`, depth first in tree order. */
function leavesInOrder(nodes: readonly ResultNode[]): ResultNode[] {
  return nodes.flatMap((n) => (n.children?.length ? leavesInOrder(n.children) : [n]));
}

/**
 * The causes among `runbooks`' failing and warning leaves, most explaining first (ties: failures before
 * warnings, then tree order).
 * M explains L when L depends on M's subject or on one M covers, or M covers L's subject, or M comes first
 * with L's subject and finding code (the same finding, from two steps). A leaf is
 * a cause when nothing explains it; a ring of leaves that only explain each other (and nothing outside
 * explains) is one cause, named by its first leaf in tree order. Every other failing or warning leaf
 * is explained by each cause it leads to, step by step.
 */
export function findCauses(runbooks: readonly ResultNode[]): Cause[] {
  const troubled = leavesInOrder(runbooks).filter(isTroubled);
  const index = new Map(troubled.map((leaf, i) => [leaf, i]));
  const order = (leaf: ResultNode) => index.get(leaf)!;
  const answersFor = new Map<string, ResultNode[]>();
  // A leaf that depends on its own subject is a second view of that object (a controller's log about
  // it): it answers for nothing, so two such views never explain each other.
  const isSecondView = (leaf: ResultNode) =>
    leaf.subject !== undefined && leaf.dependsOn?.includes(leaf.subject);
  for (const leaf of troubled) {
    const subjects = [...(isSecondView(leaf) ? [] : [leaf.subject]), ...(leaf.covers ?? [])];
    for (const subject of new Set(subjects)) {
      if (subject === undefined) continue;
      const answering = answersFor.get(subject);
      if (answering) answering.push(leaf);
      else answersFor.set(subject, [leaf]);
    }
  }
  const explainers = new Map<ResultNode, ResultNode[]>();
  for (const leaf of troubled) {
    const byDependency = (leaf.dependsOn ?? []).flatMap((s) => answersFor.get(s) ?? []);
    const byCover = leaf.subject === undefined ? [] : (answersFor.get(leaf.subject) ?? []);
    const coveringOthers = byCover.filter((m) => m.covers?.includes(leaf.subject!));
    // The same finding about the same object from another step (an issuer both certificate steps judge):
    // the first in tree order speaks for the later ones.
    const earlierTwins = isSecondView(leaf)
      ? []
      : byCover.filter((m) => isSameFinding(m, leaf) && order(m) < order(leaf));
    const found = new Set([...byDependency, ...coveringOthers, ...earlierTwins]);
    found.delete(leaf);
    explainers.set(leaf, [...found]);
  }

  /** Every leaf reachable from `leaf` through explainers, `leaf` excluded unless on a ring. */
  const reachable = (leaf: ResultNode): Set<ResultNode> => {
    const seen = new Set<ResultNode>();
    const pending = [...explainers.get(leaf)!];
    while (pending.length > 0) {
      const next = pending.pop()!;
      if (seen.has(next)) continue;
      seen.add(next);
      pending.push(...explainers.get(next)!);
    }
    return seen;
  };
  const reach = new Map(troubled.map((leaf) => [leaf, reachable(leaf)]));

  // A leaf is at the root when everything that explains it, step by step, leads back to it: nothing
  // explains it, or it sits on a ring that nothing outside explains. Each such ring is one cause,
  // named by its first leaf in tree order.
  const isAtRoot = (leaf: ResultNode) =>
    [...reach.get(leaf)!].every((other) => other === leaf || reach.get(other)!.has(leaf));
  const isFirstOfRing = (leaf: ResultNode) =>
    ![...reach.get(leaf)!].some((other) => order(other) < order(leaf));
  const causes = troubled.filter((leaf) => isAtRoot(leaf) && isFirstOfRing(leaf));
  return causes
    .map((cause) => ({
      cause,
      explains: troubled.filter((leaf) => leaf !== cause && reach.get(leaf)!.has(cause)),
    }))
    .sort(
      (a, b) =>
        b.explains.length - a.explains.length ||
        compareStatus(a.cause.status, b.cause.status) ||
        order(a.cause) - order(b.cause),
    )
    .map(({ cause, explains }) => ({ id: cause.id, explains: explains.map((leaf) => leaf.id) }));
}
