import type { Status } from '../checks/result.js';
import type { Tone } from '../checks/timeline.js';

/**
 * One mapping from status to glyph and colour, shared by every renderer and the Ink UI (which imports it from here).
 * The ASCII set is for terminals that are not UTF-8 (and for NO_COLOR users who asked for plain text).
 */
export type ColorName = 'green' | 'yellow' | 'red' | 'magenta' | 'gray';

export interface StatusStyle {
  glyph: string;
  ascii: string;
  color: ColorName;
  /** Past-tense word for summaries: `2 failed`. */
  word: string;
}

export const statusStyle: Record<Status, StatusStyle> = {
  pass: { glyph: '✔', ascii: '+', color: 'green', word: 'passed' },
  warn: { glyph: '⚠', ascii: '!', color: 'yellow', word: 'warning' },
  fail: { glyph: '✖', ascii: 'x', color: 'red', word: 'failed' },
  error: { glyph: '⊘', ascii: '?', color: 'magenta', word: 'error' },
  skip: { glyph: '○', ascii: '-', color: 'gray', word: 'skipped' },
};

/** Glyph and colour of a timeline entry by its tone (checks/timeline.ts): a change, a problem, a recovery, a fact. */
export const toneStyle: Record<Tone, { glyph: string; ascii: string; color: ColorName }> = {
  change: { glyph: '●', ascii: '*', color: 'yellow' },
  problem: { glyph: '✖', ascii: 'x', color: 'red' },
  recovery: { glyph: '✔', ascii: '+', color: 'green' },
  info: { glyph: '·', ascii: '-', color: 'gray' },
};

/** Glyphs for the lines under a failing node: hint, command, "explained by", "see Start here". */
export const marks = {
  unicode: { hint: '→', command: '$', bullet: '·', explained: '↳', startHere: '↑', after: '↶' },
  ascii: { hint: '->', command: '$', bullet: '-', explained: '<-', startHere: '^', after: '@' },
} as const;

const ansi: Record<ColorName | 'bold' | 'dim', [number, number]> = {
  green: [32, 39],
  yellow: [33, 39],
  red: [31, 39],
  magenta: [35, 39],
  gray: [90, 39],
  bold: [1, 22],
  dim: [2, 22],
};

/** Wraps text in an ANSI style when `enabled`; the plain renderers' only colour code. */
export function paint(text: string, style: ColorName | 'bold' | 'dim', enabled: boolean): string {
  if (!enabled) return text;
  const [open, close] = ansi[style];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}

/** Whether the environment can show UTF-8 glyphs (LANG/LC_* name UTF-8, or Windows Terminal). */
export function supportsUnicode(env: NodeJS.ProcessEnv): boolean {
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  if (/utf-?8/i.test(locale)) return true;
  return Boolean(env.WT_SESSION) || env.TERM_PROGRAM === 'vscode';
}

/** Colour on a TTY unless NO_COLOR; FORCE_COLOR forces it (0 turns it off). */
export function supportsColor(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return isTTY && env.TERM !== 'dumb';
}

/** Glyphs of the interactive UI: spinner frames for running steps, pending steps, the cursor. */
export const progressMarks = {
  unicode: {
    frames: ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'],
    pending: '·',
    cursor: '›',
    dash: '—',
  },
  ascii: { frames: ['|', '/', '-', '\\'], pending: '.', cursor: '>', dash: '-' },
} as const;
