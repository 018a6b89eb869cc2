import { leavesOf, type Report, type Status } from '../checks/result.js';
import { SCREEN_TEXT_LIMIT, displayable } from '../text.js';
import { summaryLine } from './summary.js';
import { paint, statusStyle } from './theme.js';
import type { RenderOptions } from './types.js';

/**
 * `--watch` without a TTY after the first run: one line per leaf whose status changed, then the new
 * summary; `no changes` when none did.
 *
 *     14:02:10 ✖ host stg.cocdev.co.kr pass → fail: resolves to 127.0.10.9, load balancer is 127.0.10.10
 *     14:02:10 1 failed · 16 passed (17)
 */
export function changesBetween(before: Report, after: Report, render: RenderOptions): string {
  const old = new Map<string, Status>(before.runbooks.flatMap(leavesOf).map((l) => [l.id, l.status]));
  const time = after.startedAt.slice(11, 19);
  const lines: string[] = [];
  for (const leaf of after.runbooks.flatMap(leavesOf)) {
    const was = old.get(leaf.id);
    if (was === leaf.status) continue;
    const style = statusStyle[leaf.status];
    const glyph = paint(render.unicode ? style.glyph : style.ascii, style.color, render.color);
    const arrow = render.unicode ? '→' : '->';
    const message = leaf.message ? `: ${displayable(leaf.message, SCREEN_TEXT_LIMIT)}` : '';
    const subject = displayable(leaf.subject ?? leaf.id, SCREEN_TEXT_LIMIT);
    lines.push(`${time} ${glyph} ${subject} ${was ?? 'new'} ${arrow} ${leaf.status}${message}`);
  }
  lines.push(`${time} ${lines.length ? '' : 'no changes · '}${summaryLine(after.summary)}`);
  return `${lines.join('\n')}\n`;
}
