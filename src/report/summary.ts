import { STATUSES_WORST_FIRST, type Summary } from '../checks/result.js';
import { statusStyle } from './theme.js';

/** `2 failed · 1 error · 14 passed (17)`: failures first, zeros omitted (Ink/vitest summary style). */
export function summaryLine(summary: Summary, separator = ' · '): string {
  const total = STATUSES_WORST_FIRST.reduce((sum, s) => sum + summary[s], 0);
  const parts = STATUSES_WORST_FIRST.filter((s) => summary[s] > 0).map((s) => {
    const word = statusStyle[s].word;
    // "1 warning", "2 warnings"; "2 errors"; "failed/passed/skipped" are already plural-proof.
    const plural = summary[s] > 1 && (s === 'warn' || s === 'error') ? 's' : '';
    return `${summary[s]} ${word}${plural}`;
  });
  return parts.length ? `${parts.join(separator)} (${total})` : 'nothing checked (0)';
}

/** `1.2s`, `850ms`: how long a run or step took. */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`;
}
