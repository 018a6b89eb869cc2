import { findCauses, isSameFinding } from '../checks/causes.js';
import type { Report, ResultNode } from '../checks/result.js';
import { leafEntries, leafName, type LeafEntry } from './leaves.js';

/** How many causes "Start here" shows; the rest stay where they are in the tree. */
export const START_HERE_LIMIT = 5;

/** A cause with the leaves it explains, as the renderers show it. */
export interface CauseEntry extends LeafEntry {
  explains: LeafEntry[];
}

/** The report's causes resolved to leaves: what every renderer's "Start here" shows. */
export interface Diagnosis {
  /** At most START_HERE_LIMIT causes, most explaining first. */
  startHere: CauseEntry[];
  /** Every cause, most explaining first. */
  causes: CauseEntry[];
  /** The causes that explain a leaf, by leaf id; empty for causes and passing leaves. */
  causesOf(leafId: string): CauseEntry[];
  /** The leaf as a cause, when it is one. */
  asCause(leafId: string): CauseEntry | undefined;
  isStartHere(leafId: string): boolean;
}

/** Reads `report.causes` (worked out again for reports written before it existed). */
export function diagnose(report: Report): Diagnosis {
  const entries = new Map(leafEntries(report).map((e) => [e.leaf.id, e]));
  const causes = (report.causes ?? findCauses(report.runbooks)).flatMap((cause): CauseEntry[] => {
    const entry = entries.get(cause.id);
    if (!entry) return [];
    const explains = cause.explains.flatMap((id) => entries.get(id) ?? []);
    return [{ ...entry, explains }];
  });
  const byLeaf = new Map<string, CauseEntry[]>();
  for (const cause of causes) {
    for (const { leaf } of cause.explains) {
      const known = byLeaf.get(leaf.id);
      if (known) known.push(cause);
      else byLeaf.set(leaf.id, [cause]);
    }
  }
  const byId = new Map(causes.map((c) => [c.leaf.id, c]));
  const startHere = causes.slice(0, START_HERE_LIMIT);
  const startHereIds = new Set(startHere.map((c) => c.leaf.id));
  return {
    startHere,
    causes,
    causesOf: (leafId) => byLeaf.get(leafId) ?? [],
    asCause: (leafId) => byId.get(leafId),
    isStartHere: (leafId) => startHereIds.has(leafId),
  };
}

/** `explains 10 other failures`, `explains 2 other failures and 1 warning`; null when it explains nothing. */
export function explainsText(cause: CauseEntry): string | null {
  // The same finding seen again by another step is not another failure.
  const others = cause.explains.filter((e) => !isSameFinding(e.leaf, cause.leaf));
  const fails = others.filter((e) => e.leaf.status === 'fail').length;
  const warns = others.length - fails;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const parts = [
    ...(fails > 0 ? [plural(fails, 'other failure')] : []),
    ...(warns > 0 ? [plural(warns, fails > 0 ? 'warning' : 'other warning')] : []),
  ];
  return parts.length > 0 ? `explains ${parts.join(' and ')}` : null;
}

/** `explained by OpenBao openbao/openbao:8200`: the names of the causes behind a leaf. */
export function explainedByText(leaf: ResultNode, causes: readonly CauseEntry[]): string {
  return `explained by ${causes.map((c) => causeName(leaf, c)).join(', ')}`;
}

/**
 * How an explained leaf names one of its causes: by the cause's subject, or, for the same finding about the
 * same object seen first by another step, by that step.
 */
export function causeName(leaf: ResultNode, cause: CauseEntry): string {
  return isSameFinding(cause.leaf, leaf) ? `the same finding in ${cause.step.id}` : leafName(cause.leaf);
}

/**
 * What to tell a reader about an explained leaf beside "explained by": its own hint and commands,
 * minus those its causes already give. A hint repeated from the cause is shown once, at the cause.
 */
export function ownAdvice(
  leaf: ResultNode,
  causes: readonly CauseEntry[],
): { hint: string | undefined; commands: string[] } {
  const given = new Set(causes.flatMap((c) => [c.leaf.hint, ...(c.leaf.commands ?? [])]));
  return {
    hint: leaf.hint !== undefined && !given.has(leaf.hint) ? leaf.hint : undefined,
    commands: (leaf.commands ?? []).filter((c) => !given.has(c)),
  };
}
