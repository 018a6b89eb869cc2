import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FINDINGS, FINDING_CODES, type FindingCode } from '../../src/checks/codes.js';

const page = readFileSync(new URL('../../docs/findings.md', import.meta.url), 'utf8');

/** The entries of docs/findings.md: `### CODE` headings and the text under each. */
const entries = [...page.matchAll(/^### (\S+)\n([\s\S]*?)(?=^##|(?![\s\S]))/gm)].map((m) => ({
  code: m[1]!,
  body: m[2]!,
}));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? sourceFiles(path) : /\.tsx?$/.test(entry) ? [path] : [];
  });
}

describe('docs/findings.md', () => {
  it('documents every finding code once, in the order of src/checks/codes.ts', () => {
    expect(entries.map((e) => e.code)).toEqual(FINDING_CODES);
  });

  it.each(entries.map((e) => [e.code, e.body] as const))(
    '%s says who reports it, what it means, its likely causes, the fix and where upstream explains it',
    (code, body) => {
      const { steps } = FINDINGS[code as FindingCode];
      const reportedBy = steps === 'any' ? 'any step' : steps.map((s) => `\`${s}\``).join(', ');
      expect(body).toContain(`Reported by: ${reportedBy}\n`);
      for (const part of ['**Means:**', '**Likely causes:**', '**Fix:**'])
        expect(body, `${code} lacks ${part}`).toContain(part);
      expect(body).toMatch(/\*\*Upstream:\*\* (https:\/\/\S+|.*\]\(\S+\))/);
    },
  );
});

describe('finding codes', () => {
  const src = sourceFiles(new URL('../../src/', import.meta.url).pathname)
    .filter((f) => !f.endsWith('checks/codes.ts'))
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');

  it('are each given to some leaf by the code, so the list holds no code nothing reports', () => {
    expect(FINDING_CODES.filter((code) => !src.includes(`'${code}'`))).toEqual([]);
  });
});
