import { Box, Text } from 'ink';
import { ResultRow, rowDetailLines, type RowLook } from './ResultRow.js';
import { windowRows, type Row } from './state.js';

export interface ResultTreeProps {
  rows: Row[];
  selected: number;
  /** `h`: hints and commands under every problem, not only under the cursor. */
  showHints: boolean;
  look: RowLook;
  /** Lines the tree may use; undefined = no limit. Rows scroll to keep the cursor in view. */
  height?: number;
}

const PROBLEMS: readonly Row['status'][] = ['fail', 'error', 'warn'];

/**
 * The rows that fit in `height` lines with a line for each scroll marker that is shown: only `↓ N more`
 * while the top is in view, both once scrolled. No blank line is ever kept for a marker that is not there.
 */
function scrollWindow(
  heights: readonly number[],
  selected: number,
  height: number | undefined,
): { start: number; end: number } {
  const total = heights.reduce((sum, h) => sum + h, 0);
  if (height === undefined || total <= height) return { start: 0, end: heights.length };
  const belowOnly = windowRows(heights, selected, Math.max(1, height - 1));
  if (belowOnly.start === 0) return belowOnly;
  const both = windowRows(heights, selected, Math.max(1, height - 2));
  if (both.end < heights.length) return both;
  // The list ends in view, so no ↓ line: give that line back to the rows if they still reach the end.
  const aboveOnly = windowRows(heights, selected, Math.max(1, height - 1));
  return aboveOnly.end === heights.length ? aboveOnly : both;
}

/** The visible part of the tree, with `↑ 3 more` / `↓ 5 more` lines when it had to scroll. */
export function ResultTree({ rows, selected, showHints, look, height }: ResultTreeProps) {
  const details = rows.map((row, i) =>
    i === selected || (showHints && PROBLEMS.includes(row.status)) ? rowDetailLines(row, look) : [],
  );
  const heights = details.map((d) => 1 + d.length);
  const { start, end } = scrollWindow(heights, selected, height);
  const arrows = look.unicode ? { up: '↑', down: '↓' } : { up: '^', down: 'v' };
  return (
    <Box flexDirection="column">
      {start > 0 ? <Text dimColor={look.color}>{`  ${arrows.up} ${start} more`}</Text> : null}
      {rows.slice(start, end).map((row, i) => (
        <ResultRow
          key={row.key}
          row={row}
          isSelected={start + i === selected}
          showDetails={details[start + i]!.length > 0}
          look={look}
        />
      ))}
      {end < rows.length ? (
        <Text dimColor={look.color}>{`  ${arrows.down} ${rows.length - end} more`}</Text>
      ) : null}
    </Box>
  );
}
