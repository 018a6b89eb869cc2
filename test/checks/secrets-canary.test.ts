import { describe, expect, it } from 'vitest';
import { secrets } from '../../src/runbooks/secrets.js';
import { Sensitive } from '../../src/gateways/sensitive.js';
import { aGatherContext } from '../fakes/scope.js';
import { CANARIES, NOW, SEALED, VALID_TOKEN, baoOf, kubeOf, loadObjects, noDns } from './secrets-fixtures.js';

const ALL = [
  ...loadObjects('secrets/stores.yaml'),
  ...loadObjects('secrets/cluster-stores.yaml'),
  ...loadObjects('secrets/externalsecrets.yaml'),
  ...loadObjects('secrets/events.yaml'),
  ...loadObjects('secrets/secrets.yaml'),
  ...loadObjects('secrets/pods.yaml'),
];
const OWN_STEPS = secrets.steps.filter((s) => s.id !== 'secrets.eso-logs');

describe('secret values and tokens', () => {
  it.each([
    [
      'a healthy OpenBao with valid tokens',
      baoOf({
        tokens: { 's1.CANARY-TOKEN-STAGING': VALID_TOKEN, 's1.CANARY-TOKEN-SHARED': VALID_TOKEN },
        capabilities: { 'server/data/staging': ['read'] },
        kv: { 'server/staging': ['DB_PASSWORD'] },
      }),
    ],
    ['a sealed OpenBao', baoOf({ health: SEALED })],
    ['an OpenBao that denies every token', baoOf({})],
  ])('never appear in the facts or nodes of any secrets step, with %s', async (_name, openbao) => {
    for (const readSecrets of [true, false]) {
      const ctx = aGatherContext(
        { kube: kubeOf({ objects: ALL }), openbao, dns: noDns() },
        { readSecrets, openbaoToken: new Sensitive('s1.CANARY-TOKEN-STAGING') },
      );
      for (const step of OWN_STEPS) {
        const facts = await step.gather(ctx);
        const text = JSON.stringify(facts) + JSON.stringify(step.evaluate(facts, { now: NOW }));
        for (const canary of CANARIES) expect(text, `${step.id} leaked ${canary}`).not.toContain(canary);
      }
    }
  });
});

describe('the secrets runbook', () => {
  it('lists its steps in contract order', () => {
    expect(secrets.steps.map((s) => s.id)).toEqual([
      'secrets.stores',
      'secrets.externalsecrets',
      'secrets.target-secrets',
      'secrets.eso-logs',
      'secrets.openbao',
    ]);
  });
});
