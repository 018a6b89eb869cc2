import { Box, Text } from 'ink';
import type { Report, Summary } from '../checks/result.js';
import { formatDuration, summaryLine } from '../report/summary.js';
import { marks } from '../report/theme.js';
import { displayable } from '../text.js';
import { KEY_LINE } from './Help.js';

export interface StatusBarProps {
  target: Report['target'] | null;
  summary: Summary;
  /** Steps finished and planned while a run or rerun is going; null when idle. */
  progress: { finished: number; total: number } | null;
  /** No run has started yet: nothing to count, and nothing to claim. */
  isStarting: boolean;
  elapsedMs: number;
  failuresOnly: boolean;
  showHints: boolean;
  /** Milliseconds until `--watch` runs everything again; null without `--watch` or while running. */
  nextRunInMs: number | null;
  /** What the last key did: where the report was saved, what was copied, why a key did nothing. */
  notice: string | null;
  unicode: boolean;
  color: boolean;
}

/** The status bar's height: the app keeps these lines free under the tree. */
export const STATUS_BAR_LINES = 4;

/**
 * Four lines under the tree: what is examined, how it went (and which views are on), what the last
 * key did, and what to press. The key line never gives way to a notice.
 *
 *   platform doctor · context kind-demo · cluster demo · env stg
 *   1 failed · 16 passed (17) · 1.2s · hints shown
 *   reran ingress.dns: passed
 *   j/k move  h hints  r rerun  c copy  f failures  s save  ? help  q quit
 */
export function StatusBar(props: StatusBarProps) {
  const bullet = ` ${(props.unicode ? marks.unicode : marks.ascii).bullet} `;
  const { context, cluster, env } = props.target ?? { context: null, cluster: null, env: null };
  const examined = [
    'platform doctor',
    context ? `context ${displayable(context, 256)}` : null,
    cluster ? `cluster ${displayable(cluster, 256)}` : null,
    env ? `env ${displayable(env, 256)}` : null,
  ].filter(Boolean);
  const hasResults = Object.values(props.summary).some((n) => n > 0);
  const outcome = props.isStarting
    ? ['starting…']
    : [
        props.progress ? `running ${props.progress.finished}/${props.progress.total}` : null,
        hasResults || !props.progress ? summaryLine(props.summary, bullet) : null,
        formatDuration(props.elapsedMs),
        props.failuresOnly ? 'failures only' : null,
        props.showHints ? 'hints shown' : null,
        props.nextRunInMs !== null ? `next run in ${Math.ceil(props.nextRunInMs / 1000)}s` : null,
      ].filter(Boolean);
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end" bold={props.color}>
        {examined.join(bullet)}
      </Text>
      <Text wrap="truncate-end">{outcome.join(bullet)}</Text>
      <Text wrap="truncate-end">{props.notice === null ? ' ' : displayable(props.notice, 1024)}</Text>
      <Text wrap="truncate-end" dimColor={props.color}>
        {KEY_LINE}
      </Text>
    </Box>
  );
}
