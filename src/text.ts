import wrapAnsi from 'wrap-ansi';

/**
 * Text from outside made safe to show: one line, bounded, and with every character a terminal would
 * interpret made visible. Shared by every layer; imports nothing.
 */

/** Longest message, hint or command a result node carries (documented in docs/contract.md). */
export const NODE_TEXT_LIMIT = 8192;

/** Longest text the tree and the live UI print for one message; the reports carry NODE_TEXT_LIMIT. */
export const SCREEN_TEXT_LIMIT = 2048;

/** Whitespace runs (newlines, tabs) collapsed to one space: multi-line controller messages fit a line. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * At most `limit` characters: longer text is cut at a word boundary when one is near, and says how much
 * is left out (`… (1234 more characters)`), so a reader knows it is not the whole text.
 */
export function clip(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const room = Math.max(0, limit - 32);
  const space = text.lastIndexOf(' ', room);
  const cut = space > room - 80 && space > 0 ? space : room;
  return `${text.slice(0, cut)} … (${text.length - cut} more characters)`;
}

// C0 controls but tab and newline, DEL, C1 controls, bidi embeddings/overrides/isolates and marks, line and
// paragraph separators, and lone surrogates: a terminal or a document viewer would act on them.
const INVISIBLE =
  // eslint-disable-next-line no-control-regex -- control characters are what this finds
  /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069\uFEFF\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Control characters and bidi controls spelled out (`\x1B`, `\u202E`) so they are seen, not obeyed.
 * Tab and newline are kept: callers that need one line call `oneLine` first.
 */
export function visible(text: string): string {
  return text.replace(INVISIBLE, (char) => {
    const code = char.charCodeAt(0);
    if (code <= 0xff) return `\\x${code.toString(16).toUpperCase().padStart(2, '0')}`;
    return `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
  });
}

/**
 * Word-wraps `text` to `width` columns without ever cutting a word, a URL or a command token: a token
 * longer than the line stays whole on a line of its own. Always at least one line.
 */
export function wrap(text: string, width: number): string[] {
  return wrapAnsi(text, Math.max(1, width), { hard: false, trim: true, wordWrap: true }).split('\n');
}

/** Characters a POSIX shell takes literally in a word: a token of only these needs no quotes. */
const SHELL_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * argv as one shell line a person can paste: safe tokens as they are, the rest in single quotes (a quote
 * inside becomes `'\''`). Written here rather than taken from shell-quote, whose output escapes `=`, `:`
 * and `,` with backslashes and is hard to read.
 */
export function shellQuote(argv: readonly string[]): string {
  return argv
    .map((token) =>
      token === '' ? "''" : SHELL_SAFE.test(token) ? token : `'${token.replace(/'/g, "'\\''")}'`,
    )
    .join(' ');
}

/** One line, controls visible, at most `limit` characters: how a text renderer shows outside text. */
export function displayable(text: string, limit: number): string {
  return clip(visible(oneLine(text)), limit);
}
