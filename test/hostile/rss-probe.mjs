// Preloaded into the doctor's process by the hostile harness (`node --import rss-probe.mjs bin/platform.js …`):
// on exit, writes the process's peak resident set size (KiB) to HOSTILE_RSS_FILE. It prints nothing, so the
// doctor's stdout and stderr are its own.
import { writeFileSync } from 'node:fs';

const file = process.env.HOSTILE_RSS_FILE;
if (file) {
  process.on('exit', () => {
    try {
      writeFileSync(file, String(process.resourceUsage().maxRSS));
    } catch {
      // the harness falls back to what it sampled from /proc
    }
  });
}
