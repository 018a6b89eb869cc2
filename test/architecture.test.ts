import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = new URL('../src/', import.meta.url).pathname;

/**
 * The layers of src/ and the layers each may import from: the one place the house's directions are
 * written down (README "How it is built" points here). One way only:
 *
 *   cli → ui → engine → report, runbooks → checks → gateways → text, values
 *
 * `config` is read by the cli and typed in checks; the `sandbox` is started by the cli on use; `text` and
 * `values` are leaves every layer may use.
 */
const ALLOWED: Record<string, readonly string[]> = {
  cli: ['ui', 'engine', 'report', 'runbooks', 'checks', 'config', 'sandbox', 'gateways', 'text', 'values'],
  ui: ['engine', 'report', 'checks', 'text'],
  engine: ['runbooks', 'checks', 'gateways', 'text'],
  report: ['checks', 'config', 'text'],
  runbooks: ['checks'],
  checks: ['gateways', 'config', 'text', 'values'],
  config: ['gateways', 'values'],
  sandbox: ['gateways', 'text', 'values'],
  gateways: ['text', 'values'],
  text: [],
  values: [],
};

/** What the UI may take from the engine: types only, so it can render a session but never run one. */
const TYPE_ONLY: Record<string, readonly string[]> = { ui: ['engine'] };

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? sourceFiles(path) : /\.tsx?$/.test(entry) ? [path] : [];
  });
}

interface Import {
  specifier: string;
  isTypeOnly: boolean;
}

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  return [
    ...text.matchAll(
      /(import|export)(\s+type)?[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g,
    ),
  ].map((m) => ({ specifier: (m[3] ?? m[4])!, isTypeOnly: Boolean(m[2]) }));
}

/** `checks` for src/checks/ingress/dns.ts, `text` for src/text.ts. */
function layerOf(path: string): string {
  const [first = ''] = path.split('/');
  return first.replace(/\.(tsx?|js)$/, '');
}

const files = sourceFiles(SRC).map((path) => ({
  path: relative(SRC, path),
  imports: importsOf(path),
}));

/** Each project import of a file as the layer it reaches. */
function edges(file: (typeof files)[number]): { to: string; specifier: string; isTypeOnly: boolean }[] {
  return file.imports
    .filter((i) => i.specifier.startsWith('.'))
    .map((i) => ({
      to: layerOf(normalize(join(dirname(file.path), i.specifier))),
      specifier: i.specifier,
      isTypeOnly: i.isTypeOnly,
    }));
}

const EXTERNAL_SYSTEM_LIBRARIES = ['@kubernetes/client-node', 'node-vault', 'dns-packet', 'undici'];

describe('module boundaries (STYLE.md B1)', () => {
  it('every folder of src/ is a known layer', () => {
    expect([...new Set(files.map((f) => layerOf(f.path)))].filter((l) => !(l in ALLOWED))).toEqual([]);
  });

  it('imports go one way only, as ALLOWED writes down', () => {
    const offenders = files.flatMap((f) =>
      edges(f)
        .filter(({ to }) => to !== layerOf(f.path) && !ALLOWED[layerOf(f.path)]!.includes(to))
        .map(({ specifier }) => `${f.path} → ${specifier}`),
    );
    expect(offenders).toEqual([]);
  });

  it('the UI takes only types from the engine: it renders a session and dispatches keys, it never runs one', () => {
    const offenders = files.flatMap((f) =>
      edges(f)
        .filter(({ to, isTypeOnly }) => (TYPE_ONLY[layerOf(f.path)] ?? []).includes(to) && !isTypeOnly)
        .map(({ specifier }) => `${f.path} → ${specifier}`),
    );
    expect(offenders).toEqual([]);
  });

  it('only gateways (and the sandbox that imitates the systems) import the libraries that talk to external systems', () => {
    const offenders = files.filter(
      (f) =>
        !['gateways', 'sandbox'].includes(layerOf(f.path)) &&
        f.imports.some((i) => EXTERNAL_SYSTEM_LIBRARIES.includes(i.specifier)),
    );
    expect(offenders.map((f) => f.path)).toEqual([]);
  });

  it('checks reach the outside only through gateway interfaces, never an implementation', () => {
    const offenders = files.filter(
      (f) =>
        layerOf(f.path) === 'checks' &&
        f.imports.some((i) => /gateways\/(kube|openbao|dns|http|bao)(-[a-z-]+)?\.js$/.test(i.specifier)),
    );
    expect(offenders.map((f) => f.path)).toEqual([]);
  });

  it('runbooks are data: they import steps and list them, and declare no function', () => {
    const offenders = files.filter(
      (f) => layerOf(f.path) === 'runbooks' && /\bfunction\b/.test(readFileSync(join(SRC, f.path), 'utf8')),
    );
    expect(offenders.map((f) => f.path)).toEqual([]);
  });

  it('nothing outside the sandbox asks for a write: no create, update, patch or delete of cluster objects', () => {
    const writes = files.filter(
      (f) =>
        layerOf(f.path) === 'gateways' &&
        /\.(create|replace|patch|delete)Namespaced|method:\s*['"](PUT|PATCH|DELETE)['"]/.test(
          readFileSync(join(SRC, f.path), 'utf8'),
        ),
    );
    expect(writes.map((f) => f.path)).toEqual([]);
  });
});
