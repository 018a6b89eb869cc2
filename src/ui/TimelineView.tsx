import { Box, Text } from 'ink';
import { toneStyle } from '../report/theme.js';
import { timelineHeading } from '../report/timeline.js';
import type { Report } from '../checks/result.js';
import type { TimelineLine } from './state.js';

export interface TimelineViewProps {
  lines: TimelineLine[];
  /** The first line on screen (`j`/`k` scroll). */
  offset: number;
  /** The report the lines are from, for the heading; null before the first run ends. */
  report: Pick<Report, 'timeline'> | null;
  unicode: boolean;
  color: boolean;
  /** Lines the view may use; undefined = no limit. */
  height?: number;
}

/**
 * The `t` view: the timeline of the last run, newest first, one entry per line, cut to the width.
 *
 *   What changed (3 changes, newest first; times in UTC, "ago" counts back from the run)
 *     14:02  18m ago  ● Application argocd/plate-api-stg — Argo CD synced plate-api-stg to 4f2c1e9
 *   t tree  j/k scroll
 */
export function TimelineView({ lines, offset, report, unicode, color, height }: TimelineViewProps) {
  if (!report) return <Text>What changed shows once the run has finished (press t to go back).</Text>;
  if (lines.length === 0) {
    return <Text>Nothing changed in the window of this run, in what it read (press t to go back).</Text>;
  }
  // The heading, the lines, and one line for what is above and below.
  const room = height === undefined ? lines.length : Math.max(1, height - 2);
  const shown = lines.slice(offset, offset + room);
  const below = lines.length - offset - shown.length;
  const dash = unicode ? '—' : '-';
  return (
    <Box flexDirection="column">
      <Text bold={color} wrap="truncate-end">
        {timelineHeading(report)}
      </Text>
      {shown.map((line) => {
        const tone = toneStyle[line.tone];
        return (
          <Text key={line.key} wrap="truncate-end">
            {`  ${line.when}  `}
            <Text color={color ? tone.color : undefined}>{unicode ? tone.glyph : tone.ascii}</Text>
            {` ${line.subject} `}
            <Text dimColor={color}>{`${dash} ${line.message}`}</Text>
          </Text>
        );
      })}
      <Text dimColor={color} wrap="truncate-end">
        {[
          offset > 0 ? `${offset} newer above` : null,
          below > 0 ? `${below} older below` : null,
          'j/k scroll  t tree',
        ]
          .filter(Boolean)
          .join(' · ')}
      </Text>
    </Box>
  );
}
