import type { Scenario } from '../../src/sandbox/scenario.js';

/** Every secret value and token a scenario plants: none may appear in any output, report or snapshot. */
export function canariesOf(scenario: Scenario): string[] {
  const values = new Set<string>();
  for (const object of scenario.kubernetes.objects as { kind?: string; data?: Record<string, string> }[]) {
    if (object.kind !== 'Secret') continue;
    for (const [key, encoded] of Object.entries(object.data ?? {})) {
      if (key === 'tls.crt' || !encoded) continue; // a public certificate, empty until the sandbox fills it
      values.add(Buffer.from(encoded, 'base64').toString('utf8'));
    }
  }
  for (const token of scenario.openbao.tokens ?? []) values.add(token.token);
  for (const data of Object.values(scenario.openbao.kv ?? {}))
    for (const value of Object.values(data ?? {})) values.add(value);
  return [...values].filter((v) => v.length >= 8);
}
