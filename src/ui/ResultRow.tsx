import { Box, Text } from 'ink';
import type { Status } from '../checks/result.js';
import { formatDuration } from '../report/summary.js';
import { wrap } from '../text.js';
import type { Row } from './state.js';
import { marks, progressMarks, statusStyle, type ColorName } from '../report/theme.js';

/** How rows are dressed; one object so the tree passes it through unchanged. */
export interface RowLook {
  unicode: boolean;
  color: boolean;
  /** Terminal columns; every line is cut to fit. */
  width: number;
  /** Clock reading for spinners and elapsed times, on the same clock as the RunEvent timestamps. */
  nowMs: number;
}

export interface ResultRowProps {
  row: Row;
  isSelected: boolean;
  /** Show the hint and commands under the row (the selected row, or every problem with `h`). */
  showDetails: boolean;
  look: RowLook;
}

const SPINNER_FRAME_MS = 100;

/** One tree line (`› ✖ host stg.cocdev.co.kr — resolves to …`), then its wrapped hint and commands. */
export function ResultRow({ row, isSelected, showDetails, look }: ResultRowProps) {
  const m = look.unicode ? progressMarks.unicode : progressMarks.ascii;
  const paint = (color: ColorName) => (look.color ? color : undefined);
  const time =
    row.status === 'running' && row.startedAtMs !== undefined
      ? formatDuration(Math.max(0, look.nowMs - row.startedAtMs))
      : row.depth === 1 && row.durationMs !== undefined
        ? formatDuration(row.durationMs)
        : null;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end" bold={isSelected && look.color}>
        {isSelected ? m.cursor : ' '} {'  '.repeat(row.depth)}
        {row.kind === 'folded' ? (
          <Counts counts={row.counts ?? []} look={look} withGlyphs />
        ) : (
          <>
            <Text color={paint(rowColor(row.status))}>{rowGlyph(row.status, look)}</Text> {row.label}
            {row.message ? <Text dimColor={look.color}>{` ${m.dash} ${row.message}`}</Text> : null}
            {row.counts ? (
              <>
                {' ('}
                <Counts counts={row.counts} look={look} />)
              </>
            ) : null}
          </>
        )}
        {time ? <Text dimColor={look.color}>{`  ${time}`}</Text> : null}
      </Text>
      {showDetails
        ? rowDetailLines(row, look).map((line, i) => (
            <Text key={i} wrap="truncate-end" dimColor={look.color && line.kind === 'hint'}>
              {line.text}
            </Text>
          ))
        : null}
    </Box>
  );
}

function Counts({
  counts,
  look,
  withGlyphs = false,
}: {
  counts: [Status, number][];
  look: RowLook;
  withGlyphs?: boolean;
}) {
  const bullet = (look.unicode ? marks.unicode : marks.ascii).bullet;
  return (
    <>
      {counts.map(([status, count], i) => (
        <Text key={status}>
          {i > 0 ? ` ${bullet} ` : ''}
          {withGlyphs ? (
            <Text
              color={look.color ? statusStyle[status].color : undefined}
            >{`${rowGlyph(status, look)} `}</Text>
          ) : null}
          {`${count} ${statusStyle[status].word}`}
        </Text>
      ))}
    </>
  );
}

function rowGlyph(status: Row['status'], look: RowLook): string {
  const m = look.unicode ? progressMarks.unicode : progressMarks.ascii;
  if (status === 'pending') return m.pending;
  if (status === 'running') return m.frames[Math.floor(look.nowMs / SPINNER_FRAME_MS) % m.frames.length]!;
  return look.unicode ? statusStyle[status].glyph : statusStyle[status].ascii;
}

function rowColor(status: Row['status']): ColorName {
  if (status === 'pending') return 'gray';
  if (status === 'running') return 'yellow';
  return statusStyle[status].color;
}

/**
 * The lines under a row (the message when the row line cuts it, what explains it or what it explains,
 * the change before it, its finding code, the hint, the commands), already wrapped to the width, so the tree knows each row's height before it
 * renders. Nothing is cut inside a word, a URL or a command token; `c` copies a command whole.
 */
export function rowDetailLines(
  row: Row,
  look: Pick<RowLook, 'unicode' | 'width'>,
): { kind: 'message' | 'note' | 'hint' | 'command'; text: string }[] {
  const m = look.unicode ? marks.unicode : marks.ascii;
  const indent = ' '.repeat(2 + row.depth * 2 + 4);
  const block = (kind: 'message' | 'note' | 'hint' | 'command', mark: string, text: string) => {
    const lead = `${indent}${mark} `;
    const rest = ' '.repeat(lead.length);
    return wrap(text, look.width - lead.length).map((line, i) => ({
      kind,
      text: `${i === 0 ? lead : rest}${line}`,
    }));
  };
  // The tree line cuts a long message with `…`; the details repeat it whole, so what was seen is readable.
  const lineLength = 2 + row.depth * 2 + 2 + row.label.length + (row.message ? row.message.length + 3 : 0);
  const isMessageCut = Boolean(row.message) && lineLength > look.width;
  return [
    ...(isMessageCut ? block('message', ' ', row.message!) : []),
    ...(row.note ? block('note', ' ', row.note) : []),
    ...(row.after ? block('note', m.after, row.after) : []),
    ...(row.code ? block('note', ' ', `[${row.code}]`) : []),
    ...(row.hint ? block('hint', m.hint, row.hint) : []),
    ...(row.commands ?? []).flatMap((command) => block('command', m.command, command)),
  ];
}
