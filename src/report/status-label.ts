import type { Status } from '../checks/result.js';
import { statusStyle } from './theme.js';

const WORD: Record<Status, string> = {
  fail: 'FAIL',
  error: 'ERROR',
  warn: 'WARN',
  pass: 'PASS',
  skip: 'SKIP',
};

/** Glyph and word, `✖ FAIL`: for reports read without colour (markdown, print) or where colour is only a hint. */
export function statusLabel(status: Status): string {
  return `${statusStyle[status].glyph} ${WORD[status]}`;
}

/** What each status means to a reader; the HTML legend shows these. */
export const STATUS_MEANING: Record<Status, string> = {
  fail: 'the platform is broken here',
  error: 'could not check (forbidden, timeout, crash)',
  warn: 'works, but degrading',
  pass: 'checked and fine',
  skip: 'not applicable, or a prerequisite is missing',
};
