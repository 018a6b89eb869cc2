import type { Status } from '../checks/result.js';

/** Nagios-style exit codes: 0 all pass (skips allowed) · 1 warnings only · 2 any fail · 3 could not check. */
export const EXIT = { ok: 0, warnings: 1, failed: 2, couldNotCheck: 3 } as const;

export function exitCodeFor(status: Status): number {
  return { pass: EXIT.ok, skip: EXIT.ok, warn: EXIT.warnings, fail: EXIT.failed, error: EXIT.couldNotCheck }[
    status
  ];
}
