import type { Command, Prose } from '../checks/result.js';
import { shellQuote } from '../text.js';

/** Tools that take kubectl's target flags (`--kubeconfig`, `--context`). */
const TARGETED_TOOLS = new Set(['kubectl', 'cmctl']);

/**
 * The flags that make a printed `kubectl` or `cmctl` reach the cluster the doctor examined, e.g.
 * `['--context', 'prod']`; empty when the defaults already do (or for the throwaway demo sandbox).
 */
export interface CommandTarget {
  flags: readonly string[];
}

export const DEFAULT_TARGET: CommandTarget = { flags: [] };

/** A command as a shell line: target flags after the tool, each token quoted, env assignments first. */
export function renderCommand(command: Command, target: CommandTarget): string {
  const [tool, ...rest] = command.argv;
  if (tool === undefined) return '';
  const targeted = TARGETED_TOOLS.has(tool) ? [tool, ...target.flags, ...rest] : [...command.argv];
  // Shell expressions keep their place among the tokens once the flags are in.
  const shift = targeted.length - command.argv.length;
  const raw = new Set((command.expand ?? []).map((i) => (i === 0 ? 0 : i + shift)));
  const line = targeted.map((token, i) => (raw.has(i) ? token : shellQuote([token]))).join(' ');
  const env = Object.entries(command.env ?? {}).map(([name, value]) => `${name}=${shellQuote([value])}`);
  return [...env, line].join(' ');
}

/** Hint prose with its embedded commands rendered the same way. */
export function renderProse(prose: Prose, target: CommandTarget): string {
  if (typeof prose === 'string') return prose;
  return prose.map((part) => (typeof part === 'string' ? part : renderCommand(part, target))).join('');
}
