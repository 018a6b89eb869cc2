/** The property files cover every step of every runbook, and the harness knows what each step reads. */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { STEP_IDS } from '../../src/runbooks/index.js';
import { READS, STEPS } from './harness.js';

describe('steps-never-crash coverage', () => {
  it('declares the property for every step of every runbook, once', () => {
    const dir = new URL('./', import.meta.url);
    const declared = readdirSync(dir)
      .filter((f) => f.endsWith('.test.ts'))
      .flatMap((f) => [...readFileSync(new URL(f, dir), 'utf8').matchAll(/stepNeverCrashes\('([^']+)'\)/g)])
      .map((m) => m[1]);
    expect(STEPS.map((s) => s.id)).toEqual([...STEP_IDS]);
    expect([...declared].sort()).toEqual([...STEP_IDS].sort());
    expect(Object.keys(READS)).toEqual([...STEP_IDS]);
  });
});
