import { Box, Text } from 'ink';
import type { Report, Summary } from '../checks/result.js';
import { formatDuration, summaryLine } from '../report/summary.js';
import { displayable } from '../text.js';
import { KEY_LINE } from './Help.js';
import { marks } from '../report/theme.js';

export interface StatusBarProps {
  target: Report['target'] | null;
  summary: Summary;
  /** Steps finished and planned while a run or rerun is going; null when idle. */
  progress: { finished: number; total: number } | null;
  elapsedMs: number;
  failuresOnly: boolean;
  /** Milliseconds until `--watch` runs everything again; null without `--watch` or while running. */
  nextRunInMs: number | null;
  /** Replaces the key reminder: where the report was saved, why a key did nothing. */
  notice: string | null;
  unicode: boolean;
  color: boolean;
}

/**
 * Three lines under the tree: what is examined, how it went, and what to press.
 *
 *   platform doctor · context kind-demo · cluster demo · env stg
 *   1 failed · 16 passed (17) · 1.2s
 *   j/k move  enter fold  h hints  r rerun  f failures  s save  ? help  q quit
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
  const outcome = [
    props.progress ? `running ${props.progress.finished}/${props.progress.total}` : null,
    hasResults || !props.progress ? summaryLine(props.summary, bullet) : null,
    formatDuration(props.elapsedMs),
    props.failuresOnly ? 'failures only' : null,
    props.nextRunInMs !== null ? `next run in ${Math.ceil(props.nextRunInMs / 1000)}s` : null,
  ].filter(Boolean);
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end" bold={props.color}>
        {examined.join(bullet)}
      </Text>
      <Text wrap="truncate-end">{outcome.join(bullet)}</Text>
      <Text wrap="truncate-end" dimColor={props.color && props.notice === null}>
        {props.notice === null ? KEY_LINE : displayable(props.notice, 1024)}
      </Text>
    </Box>
  );
}
