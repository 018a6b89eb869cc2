import { Box, Text, useInput, useStdout } from 'ink';
import { useEffect, useLayoutEffect, useReducer, useRef, useState } from 'react';
import type { StepId } from '../checks/result.js';
import { Help } from './Help.js';
import { ResultTree } from './ResultTree.js';
import { TimelineView } from './TimelineView.js';
import {
  cursorIndex,
  initialState,
  isBusy,
  liveSummary,
  reduce,
  stepProgress,
  timelineLines,
  visibleRows,
  type DoctorAction,
} from './state.js';
import { STATUS_BAR_LINES, StatusBar } from './StatusBar.js';

/** What the app may ask of the engine. interactive.tsx implements it; tests pass a recording fake. */
export interface DoctorCommands {
  /** Starts delivering actions (the first run begins here); returns the disconnect. */
  connect(dispatch: (action: DoctorAction) => void): () => void;
  rerunStep(step: StepId): void;
  rerunAll(): void;
  save(): void;
  /** Puts a command on the terminal's clipboard (and keeps it to print after the app exits). */
  copy(command: string): void;
  quit(): void;
}

export interface DoctorAppProps {
  commands: DoctorCommands;
  unicode: boolean;
  color: boolean;
  verbose: boolean;
  /** Milliseconds on the clock the commands stamp their actions with (performance.now in the CLI). */
  clock: () => number;
  /** Redraw interval for spinners and elapsed times while busy; 0 turns it off (tests). */
  tickMs?: number;
}

/** Lines under the tree: a blank line and the status bar, plus one so Ink never fills the screen. */
const CHROME_LINES = 1 + STATUS_BAR_LINES + 1;
const DEFAULT_COLUMNS = 80;

/** The interactive doctor: reduces the engine's actions into state, maps keys to actions and commands. */
export function DoctorApp({ commands, unicode, color, verbose, clock, tickMs = 100 }: DoctorAppProps) {
  const [state, dispatch] = useReducer(reduce, { verbose }, initialState);
  const [nowMs, setNowMs] = useState(clock);
  const { stdout } = useStdout();
  const [size, setSize] = useState({ columns: stdout.columns, rows: stdout.rows });

  useEffect(() => commands.connect(dispatch), [commands]);
  useEffect(() => {
    const onResize = () => setSize({ columns: stdout.columns, rows: stdout.rows });
    stdout.on('resize', onResize);
    return () => void stdout.off('resize', onResize);
  }, [stdout]);
  const busy = isBusy(state);
  const watching = state.nextRunAtMs !== null;
  useEffect(() => {
    setNowMs(clock());
    if (tickMs <= 0 || (!busy && !watching)) return;
    // Spinners need ~10 frames a second; a watch countdown only needs seconds.
    const timer = setInterval(() => setNowMs(clock()), busy ? tickMs : 1000);
    return () => clearInterval(timer);
  }, [busy, watching, tickMs, clock]);

  const rows = visibleRows(state);
  const selected = cursorIndex(rows, state.cursor);
  // Ink registers key handlers in a passive effect, which can lag the frame on a busy machine;
  // the handler reads what is on screen from here, updated in the same commit as the frame.
  const onScreen = useRef({ state, rows, selected, busy });
  const copied = useRef<{ key: string; index: number } | null>(null);
  useLayoutEffect(() => {
    onScreen.current = { state, rows, selected, busy };
  });

  useInput((input, key) => {
    const { state, rows, selected, busy } = onScreen.current;
    if (input === 'q' || (key.ctrl && input === 'c')) return commands.quit();
    if (state.showHelp) {
      if (input === '?' || key.escape) dispatch({ type: 'toggle-help' });
      return;
    }
    if (state.showTimeline) {
      if (input === 't' || key.escape) return dispatch({ type: 'toggle-timeline' });
      if (key.upArrow || input === 'k') return dispatch({ type: 'scroll-timeline', by: -1 });
      if (key.downArrow || input === 'j') return dispatch({ type: 'scroll-timeline', by: 1 });
      if (input === '?') return dispatch({ type: 'toggle-help' });
      return;
    }
    if (input === 't') return dispatch({ type: 'toggle-timeline' });
    if (key.upArrow || input === 'k') return dispatch({ type: 'move', by: -1 });
    if (key.downArrow || input === 'j') return dispatch({ type: 'move', by: 1 });
    if (key.rightArrow) return dispatch({ type: 'expand' });
    if (key.leftArrow) return dispatch({ type: 'collapse' });
    if (key.return) return dispatch({ type: 'toggle' });
    if (input === 'h') return dispatch({ type: 'toggle-hints' });
    if (input === 'f') return dispatch({ type: 'toggle-failures-only' });
    if (input === '?') return dispatch({ type: 'toggle-help' });
    if (input === 'r' || input === 'R') {
      if (busy) return dispatch({ type: 'notice', text: 'checks are still running; rerun when they finish' });
      if (input === 'R') return commands.rerunAll();
      const stepId = rows[selected]?.stepId;
      if (!stepId)
        return dispatch({
          type: 'notice',
          text: 'select a step to rerun it, or press R to rerun everything',
        });
      return commands.rerunStep(stepId);
    }
    if (input === 's') {
      if (!state.report)
        return dispatch({ type: 'notice', text: 'the report can be saved once the run has finished' });
      return commands.save();
    }
    if (input === 'c') {
      const row = rows[selected];
      const rowCommands = row?.commands ?? [];
      if (!row || rowCommands.length === 0)
        return dispatch({ type: 'notice', text: 'select a row with commands ($) to copy one' });
      // Pressing c again on the same row copies its next command.
      const last = copied.current;
      const index = last?.key === row.key ? (last.index + 1) % rowCommands.length : 0;
      copied.current = { key: row.key, index };
      commands.copy(rowCommands[index]!);
      const of = rowCommands.length > 1 ? ` (${index + 1}/${rowCommands.length})` : '';
      return dispatch({ type: 'notice', text: `copied${of}: ${rowCommands[index]}` });
    }
  });

  const width = size.columns || DEFAULT_COLUMNS;
  const look = { unicode, color, width, nowMs };
  const elapsedMs = state.isRunning
    ? nowMs - (state.runStartedAtMs ?? nowMs)
    : (state.report?.durationMs ?? 0);
  return (
    <Box flexDirection="column" width={width}>
      {state.showHelp ? (
        <Help unicode={unicode} />
      ) : state.showTimeline ? (
        <TimelineView
          lines={timelineLines(state)}
          offset={state.timelineOffset}
          report={state.report}
          unicode={unicode}
          color={color}
          height={size.rows ? size.rows - CHROME_LINES : undefined}
        />
      ) : rows.length === 0 && state.failuresOnly && !busy ? (
        <Text>No failures, errors or warnings (press f to show everything).</Text>
      ) : (
        <ResultTree
          rows={rows}
          selected={selected}
          showHints={state.showHints}
          look={look}
          height={size.rows ? size.rows - CHROME_LINES : undefined}
        />
      )}
      <Text> </Text>
      <StatusBar
        target={state.target}
        summary={liveSummary(state)}
        progress={busy ? stepProgress(state) : null}
        isStarting={state.plan.length === 0}
        elapsedMs={elapsedMs}
        failuresOnly={state.failuresOnly}
        showHints={state.showHints}
        nextRunInMs={!busy && state.nextRunAtMs !== null ? Math.max(0, state.nextRunAtMs - nowMs) : null}
        notice={state.notice}
        unicode={unicode}
        color={color}
      />
    </Box>
  );
}
