import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomically } from '../../src/cli/report-file.js';

describe('writing a report file', () => {
  it('replaces the file and leaves no temp file behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pd-report-'));
    const file = join(dir, 'doctor.prom');
    writeFileSync(file, 'old\n');
    await writeFileAtomically(file, 'new\n');
    expect(readFileSync(file, 'utf8')).toBe('new\n');
    expect(readdirSync(dir)).toEqual(['doctor.prom']);
  });

  it('writes through a symlink to its target, atomically, and the link stays a link', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pd-report-'));
    mkdirSync(join(dir, 'real'));
    mkdirSync(join(dir, 'textfile'));
    writeFileSync(join(dir, 'real', 'doctor.prom'), 'old\n');
    symlinkSync('../real/doctor.prom', join(dir, 'textfile', 'doctor.prom'));
    await writeFileAtomically(join(dir, 'textfile', 'doctor.prom'), 'new\n');
    expect(lstatSync(join(dir, 'textfile', 'doctor.prom')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'real', 'doctor.prom'), 'utf8')).toBe('new\n');
    expect(readdirSync(join(dir, 'real'))).toEqual(['doctor.prom']);
  });

  it('creates the file a dangling link points at', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pd-report-'));
    symlinkSync(join(dir, 'target.md'), join(dir, 'link.md'));
    await writeFileAtomically(join(dir, 'link.md'), '# report\n');
    expect(lstatSync(join(dir, 'link.md')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'target.md'), 'utf8')).toBe('# report\n');
  });
});
