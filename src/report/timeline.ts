import type { Report } from '../checks/result.js';
import { toneOf, type TimelineEntry } from '../checks/timeline.js';
import { toneStyle } from './theme.js';

/**
 * How every renderer words "What changed" and a leaf's `after`: times in UTC (a report is read in many
 * time zones, and renderers read no clock or environment), the date only when it is not the run's day,
 * and how long before the run it was.
 */

/** Entries the plain tree and the live UI list before saying how many more there are. */
export const TREE_TIMELINE_LIMIT = 12;

/** `14:02`, or `11-30 22:15` when the entry is not on the day the run started (both UTC). */
export function clockTime(time: string, report: Pick<Report, 'startedAt'>): string {
  const at = new Date(time).toISOString();
  const sameDay = at.slice(0, 10) === new Date(report.startedAt).toISOString().slice(0, 10);
  return sameDay ? at.slice(11, 16) : `${at.slice(5, 10)} ${at.slice(11, 16)}`;
}

/** `18m before the run`, `in 40m` for what is still to come (a token expiry), `at the run` within a minute. */
export function relativeTime(time: string, report: Pick<Report, 'startedAt'>): string {
  const deltaMs = Date.parse(report.startedAt) - Date.parse(time);
  if (Math.abs(deltaMs) < 60_000) return 'at the run';
  const span = humanSpan(Math.abs(deltaMs));
  return deltaMs > 0 ? `${span} before the run` : `in ${span}`;
}

/** The short form for lists, counted back from the run: `18m ago`, `in 40m`, `now`. */
export function agoTime(time: string, report: Pick<Report, 'startedAt'>): string {
  const deltaMs = Date.parse(report.startedAt) - Date.parse(time);
  if (Math.abs(deltaMs) < 60_000) return 'now';
  const span = humanSpan(Math.abs(deltaMs));
  return deltaMs > 0 ? `${span} ago` : `in ${span}`;
}

/**
 * The time columns of a list of entries, padded to line up: `03:38  4m ago`, and `11-30 22:15  5h ago`
 * once any entry is from another day.
 */
export function timeColumns(entries: readonly TimelineEntry[], report: Pick<Report, 'startedAt'>): string[] {
  const clocks = entries.map((e) => clockTime(e.time, report));
  const agos = entries.map((e) => agoTime(e.time, report));
  const clockWidth = Math.max(0, ...clocks.map((c) => c.length));
  const agoWidth = Math.max(0, ...agos.map((a) => a.length));
  return clocks.map((clock, i) => `${clock.padStart(clockWidth)}  ${agos[i]!.padStart(agoWidth)}`);
}

/** `45s`, `18m`, `5h`, `3d`: the largest whole unit. */
function humanSpan(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return `${Math.floor(ms / 1000)}s`;
  if (minutes < 120) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours}h` : `${Math.floor(hours / 24)}d`;
}

/**
 * What a failing leaf says about the change before it:
 * `started after Argo CD synced plate-api-stg to 4f2c1e9 at 14:02 UTC (18m before the run)`.
 * The subject is named unless the message already starts with the actor (Argo CD); details after the
 * message's first `: ` are left to the timeline.
 */
export function afterText(entry: TimelineEntry, report: Pick<Report, 'startedAt'>): string {
  // The headline only: the details after the first `: ` are in the timeline and would repeat the leaf's message.
  const headline = entry.message.split(': ')[0]!;
  const what = headline.startsWith('Argo CD ') ? headline : `${entry.subject}: ${headline}`;
  return `started after ${what} at ${clockTime(entry.time, report)} UTC (${relativeTime(entry.time, report)})`;
}

/** `What changed (3 changes, newest first, times in UTC, "ago" counts back from the run)`. */
export function timelineHeading(report: Pick<Report, 'timeline'>): string {
  const count = report.timeline?.length ?? 0;
  return `What changed (${count} ${count === 1 ? 'change' : 'changes'}, newest first; times in UTC, "ago" counts back from the run)`;
}

/** The glyph of an entry's tone (theme.ts), Unicode or ASCII. */
export function toneGlyph(entry: Pick<TimelineEntry, 'kind'>, unicode: boolean): string {
  const style = toneStyle[toneOf(entry.kind)];
  return unicode ? style.glyph : style.ascii;
}
