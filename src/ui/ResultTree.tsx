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

/** The visible part of the tree, with `↑ 3 more` / `↓ 5 more` lines when it had to scroll. */
export function ResultTree({ rows, selected, showHints, look, height }: ResultTreeProps) {
  const details = rows.map((row, i) =>
    i === selected || (showHints && PROBLEMS.includes(row.status)) ? rowDetailLines(row, look) : [],
  );
  const heights = details.map((d) => 1 + d.length);
  // Two lines are kept for the scroll markers whenever the rows do not all fit.
  const total = heights.reduce((sum, h) => sum + h, 0);
  const limit = height !== undefined && total > height ? Math.max(1, height - 2) : undefined;
  const { start, end } = windowRows(heights, selected, limit);
  const arrows = look.unicode ? { up: '↑', down: '↓' } : { up: '^', down: 'v' };
  return (
    <Box flexDirection="column">
      {limit !== undefined ? (
        <Text dimColor={look.color}>{start > 0 ? `  ${arrows.up} ${start} more` : ' '}</Text>
      ) : null}
      {rows.slice(start, end).map((row, i) => (
        <ResultRow
          key={row.key}
          row={row}
          isSelected={start + i === selected}
          showDetails={details[start + i]!.length > 0}
          look={look}
        />
      ))}
      {limit !== undefined ? (
        <Text dimColor={look.color}>
          {end < rows.length ? `  ${arrows.down} ${rows.length - end} more` : ' '}
        </Text>
      ) : null}
    </Box>
  );
}
