import { render } from 'ink';
import type { Report, StepId } from '../checks/result.js';
import type { RunEvent } from '../engine/events.js';
import type { DoctorSession } from '../engine/session.js';
import type { RenderOptions } from '../report/types.js';
import { DoctorApp, type DoctorCommands } from './DoctorApp.js';
import type { DoctorAction } from './state.js';
import { statusStyle } from '../report/theme.js';

/** What the CLI hands the interactive UI (see src/cli/doctor.ts). */
export interface InteractiveOptions {
  session: DoctorSession;
  render: RenderOptions;
  /** Starts the first run (or the watch loop) once the app listens; resolves when it ends. */
  start: () => Promise<Report>;
  /** Writes the markdown report and resolves with its path. */
  saveReport: (report: Report) => Promise<string>;
  /** Writes to the terminal the app draws on (the clipboard escape of `c` goes there). */
  writeToTerminal: (text: string) => void;
}

/** What the app leaves behind: the final report, and every command copied with `c`, in order. */
export interface InteractiveResult {
  report: Report;
  copied: string[];
}

/**
 * Renders the interactive doctor on the terminal until the user quits (q, Ctrl-C) or the session is
 * stopped from outside, and resolves with the session's final report. The last frame stays on screen,
 * so the tree survives in scrollback.
 */
export async function runInteractive(options: InteractiveOptions): Promise<InteractiveResult> {
  let started: Promise<Report> | null = null;
  const copied: string[] = [];
  const commands = sessionCommands(
    options.session,
    options.saveReport,
    () => {
      started ??= options.start();
    },
    (command) => {
      copied.push(command);
      options.writeToTerminal(clipboardEscape(command));
    },
  );
  const app = render(
    <DoctorApp
      commands={commands}
      unicode={options.render.unicode}
      color={options.render.color}
      verbose={options.render.verbose}
      clock={() => performance.now()}
    />,
    { exitOnCtrlC: false },
  );
  await commands.quitted;
  const report = await (started ?? Promise.resolve(options.session.partialReport()));
  app.unmount();
  await app.waitUntilExit();
  return { report, copied };
}

/**
 * OSC 52: asks the terminal (and tmux, through to the outer terminal) to put `text` on the clipboard.
 * Terminals that do not support it ignore it, which is why copied commands are printed again on quit.
 */
export function clipboardEscape(text: string): string {
  return `\u001b]52;c;${Buffer.from(text).toString('base64')}\u0007`;
}

/** The keys' commands on a session, plus the promise that settles when the user quits. */
export interface SessionCommands extends DoctorCommands {
  quitted: Promise<void>;
}

/**
 * Turns the session's events into the app's actions (stamped on `clock`) and the app's commands into
 * session calls. `onConnected` runs once the app listens, so the first run's events are all seen.
 */
export function sessionCommands(
  session: DoctorSession,
  saveReport: (report: Report) => Promise<string>,
  onConnected: () => void,
  copy: (command: string) => void,
  clock: () => number = () => performance.now(),
): SessionCommands {
  let dispatch: (action: DoctorAction) => void = () => {};
  let quit: () => void = () => {};
  const quitted = new Promise<void>((resolve) => (quit = resolve));
  const toAction = (event: RunEvent): DoctorAction =>
    event.type === 'run-scheduled'
      ? { type: 'watch-scheduled', atMs: event.inMs === null ? null : clock() + event.inMs }
      : { type: 'run-event', event, atMs: clock() };
  const notice = (text: string) => dispatch({ type: 'notice', text });
  // The session stopped from outside (SIGTERM): the app quits as if `q` was pressed.
  void session.whenStopped.then(() => quit());
  return {
    quitted,
    connect(next) {
      dispatch = next;
      const unsubscribe = session.subscribe((event) => dispatch(toAction(event)));
      onConnected();
      return () => {
        unsubscribe();
        dispatch = () => {};
      };
    },
    rerunStep(stepId: StepId) {
      void session.rerunStep(stepId).then((report) => {
        const node = report.runbooks.flatMap((r) => r.children ?? []).find((s) => s.id === stepId);
        if (node) notice(`reran ${stepId}: ${statusStyle[node.status].word}`);
      });
    },
    rerunAll() {
      void session.run();
    },
    save() {
      const report = session.lastReport;
      if (!report) return;
      notice('saving the report…');
      saveReport(report).then(
        (path) => notice(`saved ${path}`),
        (error: unknown) =>
          notice(`could not save the report: ${error instanceof Error ? error.message : String(error)}`),
      );
    },
    copy,
    quit() {
      session.stop();
      quit();
    },
  };
}
