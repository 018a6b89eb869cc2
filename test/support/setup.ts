import { afterEach } from 'vitest';

// A rejection nobody handled is a promise the code forgot (a deadline leaving work behind): the test that
// caused it fails, rather than the run noticing at the end or not at all.
const unhandled: unknown[] = [];
process.on('unhandledRejection', (reason) => void unhandled.push(reason));

afterEach(async () => {
  // Rejections of this test's last promises surface a tick later.
  await new Promise((resolve) => setImmediate(resolve));
  if (unhandled.length === 0) return;
  const reasons = unhandled
    .splice(0)
    .map((r) => (r instanceof Error ? `${r.name}: ${r.message}` : String(r)));
  throw new Error(`unhandled rejection during this test: ${reasons.join('; ')}`);
});
