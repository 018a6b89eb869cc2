// `npm run build`, after tsc: bundles the CLI into dist/platform/, which bin/platform.js loads. One file per
// entry and per lazily imported part (doctor, sandbox, live UI) instead of ~1,000 modules: ESM resolution
// and loading of @kubernetes/client-node alone took ~400 ms of every run. tsc's dist/ stays for the bench
// and the tests that import built modules (dist/sandbox/…).
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const OUT = 'dist/platform';

/** Resolves an exact package name to a file of ours beside this script (see that file for why). */
const replace = (name, file) => ({
  name: `replace-${name}`,
  setup(b) {
    const path = fileURLToPath(new URL(file, import.meta.url));
    b.onResolve({ filter: new RegExp(`^${name}$`) }, () => ({ path }));
  },
});

// Chunk names carry a content hash: clear the old ones.
rmSync(OUT, { recursive: true, force: true });
await build({
  entryPoints: { bin: 'src/cli/bin.ts' },
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // The live UI's libraries load only in a terminal session, from node_modules as before; ink's devtools
  // hook is optional and not installed.
  external: ['ink', 'react', 'react/*', 'react-devtools-core'],
  plugins: [replace('axios', './axios-unused.mjs')],
  // CommonJS packages inside an ES module bundle still call require() for Node's built-ins.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  // No comments or indentation: V8 keeps every module's source in memory, as two bytes a character when a
  // comment holds one non-Latin-1 character. Names stay, so a --debug stack trace still reads.
  minifyWhitespace: true,
  sourcemap: true,
  logLevel: 'warning',
});
