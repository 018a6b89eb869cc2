/**
 * Commands as data. Hints name the next command as argv, never as a string: the engine adds the flags
 * that reach the doctor's target (`--kubeconfig`, `--context`) once, after evaluate, and quotes each
 * token once, when it renders. A path with a space or a jsonpath with brackets prints runnable.
 */
import type { Command, Prose } from './result.js';

export type { Command, Prose } from './result.js';

/** A hint and the commands that take the investigation further (STYLE B3). */
export interface Hint {
  hint: Prose;
  commands: Command[];
}

/** A shell expression the shell must expand, such as `$(date +%s)`: printed unquoted. */
export interface ShellExpression {
  shell: string;
}

/** `force-sync=$(date +%s)` as one token the shell expands: the only kind of token not quoted. */
export function expanded(shell: string): ShellExpression {
  return { shell };
}

/** A value in a command template: one token (or part of one), a shell expression, or several tokens. */
type Part = string | number | ShellExpression | readonly string[];

/**
 * argv from a template: the literal text splits on whitespace, and every `${value}` is part of one token
 * whatever it holds (a namespace with a space stays one argument). Text and values that touch, as in
 * `--tail=${n}`, make one token. An array value is several tokens (`${['-n', ns]}`).
 */
function tokens(
  strings: TemplateStringsArray,
  values: readonly Part[],
): { argv: string[]; expand: number[] } {
  const argv: string[] = [];
  const expand: number[] = [];
  let current: string | null = null;
  let isExpanded = false;
  const flush = () => {
    if (current === null) return;
    if (isExpanded) expand.push(argv.length);
    argv.push(current);
    current = null;
    isExpanded = false;
  };
  strings.forEach((text, i) => {
    for (const piece of text.split(/(\s+)/)) {
      if (piece === '') continue;
      if (/^\s+$/.test(piece)) flush();
      else current = (current ?? '') + piece;
    }
    if (i >= values.length) return;
    const value = values[i]!;
    if (Array.isArray(value)) {
      flush();
      argv.push(...(value as readonly string[]));
    } else if (typeof value === 'object') {
      current = (current ?? '') + (value as ShellExpression).shell;
      isExpanded = true;
    } else {
      current = (current ?? '') + String(value);
    }
  });
  flush();
  return { argv, expand };
}

function builder(tool: string) {
  return (strings: TemplateStringsArray, ...values: Part[]): Command => {
    const { argv, expand } = tokens(strings, values);
    return {
      argv: [tool, ...argv],
      ...(expand.length ? { expand: expand.map((i) => i + 1) } : {}),
    };
  };
}

/** ``kubectl`get ingress -n ${ns} ${name} -o yaml` ``: the target flags are added after evaluate. */
export const kubectl = builder('kubectl');
/** cert-manager's CLI; takes the same target flags as kubectl. */
export const cmctl = builder('cmctl');

/** Any other command (`dig`, `curl`, `bao`), argv split the same way. */
export function sh(strings: TemplateStringsArray, ...values: Part[]): Command {
  const { argv, expand } = tokens(strings, values);
  return { argv, ...(expand.length ? { expand } : {}) };
}

/** `command` run with environment variables set for it: `BAO_ADDR=https://… bao token lookup`. */
export function withEnv(env: Record<string, string>, command: Command): Command {
  return { ...command, env: { ...command.env, ...env } };
}
