import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
const UI_LIBRARIES = /^(ink|react)(\/|$)|^ink-/;

/**
 * Every module reachable from `entry`: relative TypeScript files and bare package specifiers, through
 * static imports and through dynamic `import('…')` (the CLI defers the doctor and the sandbox that way),
 * except a dynamic import of the interactive UI: that is the one the CLI takes only on a TTY.
 */
function staticGraph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    // `import … from '…'`, `export … from '…'` and side-effect `import '…'`; not `import('…')`.
    for (const [, specifier] of text.matchAll(
      /^\s*(?:import|export)\s(?:[^'"();]*?\sfrom\s)?['"]([^'"]+)['"]/gm,
    )) {
      if (!specifier!.startsWith('.')) packages.add(specifier!);
      else visit(sourceOf(resolve(dirname(file), specifier!)));
    }
    for (const [, specifier] of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      if (specifier!.endsWith('ui/interactive.js')) continue;
      if (!specifier!.startsWith('.')) packages.add(specifier!);
      else visit(sourceOf(resolve(dirname(file), specifier!)));
    }
    // With "jsx": "react-jsx", every .tsx file imports react/jsx-runtime implicitly.
    if (file.endsWith('.tsx')) packages.add('react/jsx-runtime');
  };
  visit(entry);
  return { files: [...files].map((f) => f.slice(ROOT.length)).sort(), packages: [...packages].sort() };
}

/** `./x.js` in NodeNext TypeScript names `./x.ts` or `./x.tsx`. */
function sourceOf(path: string): string {
  const ts = path.replace(/\.js$/, '.ts');
  return existsSync(ts) ? ts : path.replace(/\.js$/, '.tsx');
}

describe('the CLI without a TTY', () => {
  it('reaches neither ink nor react from src/cli.ts except through the TTY-only import of the UI', () => {
    const { files, packages } = staticGraph(join(ROOT, 'src/cli.ts'));
    expect(files).toContain('src/cli/doctor.ts');
    expect(files).toContain('src/report/tree.ts');
    expect(files.filter((f) => f.endsWith('.tsx'))).toEqual([]);
    expect(packages.filter((p) => UI_LIBRARIES.test(p))).toEqual([]);
  });

  it('would notice ink: the interactive entry point does reach it', () => {
    const { packages } = staticGraph(join(ROOT, 'src/ui/interactive.tsx'));
    expect(packages).toEqual(expect.arrayContaining(['ink', 'react/jsx-runtime']));
  });

  it('does not load ink or react when the built binary prints JSON', async () => {
    const record = join(mkdtempSync(join(tmpdir(), 'doctor-imports-')), 'resolved.txt');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(ROOT, 'bin/platform.js'), 'doctor', '--demo', 'healthy', '-o', 'json'],
      {
        env: {
          PATH: process.env.PATH,
          LANG: 'C.UTF-8',
          HOME: '/nonexistent-home',
          NODE_OPTIONS: `--import=${join(ROOT, 'test/support/record-imports.mjs')}`,
          RECORD_IMPORTS_TO: record,
        },
        timeout: 30_000,
      },
    );
    expect(JSON.parse(stdout).status).toBe('pass');
    const loaded = readFileSync(record, 'utf8').split('\n').filter(Boolean);
    // The bundle (dist/platform/) keeps the UI's libraries as package imports, so loading them shows here.
    expect(loaded).toContainEqual(expect.stringMatching(/\/dist\/platform\/doctor-[^/]+\.js$/));
    expect(
      loaded.filter((url) =>
        /\/node_modules\/(ink|react|ink-[^/]+)\/|\/dist\/platform\/interactive-[^/]+\.js$/.test(url),
      ),
    ).toEqual([]);
  });
});
