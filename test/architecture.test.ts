import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = new URL('../src/', import.meta.url).pathname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? sourceFiles(path) : /\.tsx?$/.test(entry) ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [
    ...text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => (m[1] ?? m[2])!);
}

const files = sourceFiles(SRC).map((path) => ({ path: relative(SRC, path), imports: importsOf(path) }));
const EXTERNAL_SYSTEM_LIBRARIES = ['@kubernetes/client-node', 'node-vault', 'dns-packet', 'undici'];

describe('module boundaries (STYLE.md B1)', () => {
  it('only gateways import the libraries that talk to external systems', () => {
    const offenders = files.filter(
      (f) =>
        !f.path.startsWith('gateways/') &&
        !f.path.startsWith('sandbox/') &&
        f.imports.some((i) => EXTERNAL_SYSTEM_LIBRARIES.includes(i)),
    );
    expect(offenders.map((f) => f.path)).toEqual([]);
  });

  it('checks reach the outside only through gateway interfaces', () => {
    const offenders = files.filter(
      (f) =>
        f.path.startsWith('checks/') &&
        f.imports.some(
          (i) =>
            /gateways\/(kube|openbao|dns|http)(-[a-z-]+)?\.js$/.test(i) ||
            /\/(engine|report|ui|cli|sandbox)\//.test(i),
        ),
    );
    expect(offenders.map((f) => f.path)).toEqual([]);
  });

  it('renderers and the UI import no gateway, check implementation or engine I/O', () => {
    const offenders = files.filter(
      (f) =>
        (f.path.startsWith('report/') || (f.path.startsWith('ui/') && f.path !== 'ui/interactive.tsx')) &&
        f.imports.some((i) => /\/(gateways|sandbox|cli)\//.test(i) || /\/checks\/(?!result\.js)/.test(i)),
    );
    expect(offenders.map((f) => f.path)).toEqual([]);
  });

  it('nothing outside the sandbox asks for a write: no create, update, patch or delete of cluster objects', () => {
    const writes = files.filter(
      (f) =>
        f.path.startsWith('gateways/') &&
        /\.(create|replace|patch|delete)Namespaced|method:\s*['"](PUT|PATCH|DELETE)['"]/.test(
          readFileSync(join(SRC, f.path), 'utf8'),
        ),
    );
    expect(writes.map((f) => f.path)).toEqual([]);
  });
});
