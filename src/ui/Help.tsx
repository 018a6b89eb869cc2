import { Box, Text } from 'ink';

/** Every key the app understands, as data: the help screen and the status bar's key line read it. */
export const KEY_BINDINGS: readonly {
  keys: { unicode: string; ascii: string };
  short?: string;
  does: string;
}[] = [
  { keys: { unicode: '↑ ↓  j k', ascii: 'up down  j k' }, short: 'j/k move', does: 'move the cursor' },
  {
    keys: { unicode: '→ ←  enter', ascii: 'right left  enter' },
    does: 'expand / collapse; ← on a leaf goes to its parent',
  },
  {
    keys: { unicode: 'h', ascii: 'h' },
    short: 'h hints',
    does: 'hints and commands under every problem, not only the cursor',
  },
  { keys: { unicode: 'r', ascii: 'r' }, short: 'r rerun', does: 'rerun the selected step with fresh reads' },
  { keys: { unicode: 'R', ascii: 'R' }, does: 'rerun everything' },
  {
    keys: { unicode: 'c', ascii: 'c' },
    short: 'c copy',
    does: 'copy the selected command (again: the next one); printed again when you quit',
  },
  {
    keys: { unicode: 'f', ascii: 'f' },
    short: 'f failures',
    does: 'show only failures, errors and warnings',
  },
  {
    keys: { unicode: 't', ascii: 't' },
    short: 't time',
    does: 'what changed (the timeline), newest first; j/k scroll it; t again for the tree',
  },
  { keys: { unicode: 's', ascii: 's' }, short: 's save', does: 'save a markdown report' },
  { keys: { unicode: '?  esc', ascii: '?  esc' }, short: '? help', does: 'show / close this help' },
  {
    keys: { unicode: 'q  ctrl-c', ascii: 'q  ctrl-c' },
    short: 'q quit',
    does: "quit (the exit code is the last run's)",
  },
];

/** The status bar's reminder: `j/k move  h hints  …  q quit`, short enough for 80 columns; `?` lists every key. */
export const KEY_LINE = KEY_BINDINGS.flatMap((k) => (k.short ? [k.short] : [])).join('  ');

/** The `?` screen: one line per key binding. */
export function Help({ unicode }: { unicode: boolean }) {
  const width = Math.max(...KEY_BINDINGS.map((k) => (unicode ? k.keys.unicode : k.keys.ascii).length));
  return (
    <Box flexDirection="column">
      <Text bold>Keys</Text>
      {KEY_BINDINGS.map((k) => {
        const keys = unicode ? k.keys.unicode : k.keys.ascii;
        return (
          <Text key={keys} wrap="truncate-end">
            {`  ${keys.padEnd(width)}  ${k.does}`}
          </Text>
        );
      })}
    </Box>
  );
}
