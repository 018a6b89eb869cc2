import { describe, expect, it } from 'vitest';
import { REDACTED, redact, registerSecret } from '../../src/gateways/redact.js';

describe('redact', () => {
  it('removes a registered credential and its base64 forms from any text', () => {
    registerSecret('CANARY-redact-token-4f9c');
    const base64 = Buffer.from('CANARY-redact-token-4f9c').toString('base64');
    expect(redact(`token CANARY-redact-token-4f9c, data ${base64}`)).toBe(
      `token ${REDACTED}, data ${REDACTED}`,
    );
  });

  it.each([
    ['hvs.CAESIJ9n0t4r3alt0k3nAAAAAAAAAAAA', `${REDACTED}`],
    ['Authorization: Bearer eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl', `Authorization: Bearer ${REDACTED}`],
    ['"Authorization": "tok3n-value-123"', `"Authorization": "${REDACTED}"`],
    ['X-Vault-Token: abcd1234efgh;', `X-Vault-Token: ${REDACTED};`],
    ['https://doctor:pw-123@bao.example:8200/v1', `https://${REDACTED}@bao.example:8200/v1`],
  ])('removes the credential shape in %s', (text, expected) => {
    expect(redact(text)).toBe(expected);
  });

  it.each([
    // cert-manager's Challenge reason and log line: the word, not a header.
    'Error accepting authorization: acme: authorization error for stg.cocdev.co.kr: 400',
    'error waiting for authorization: acme: authorization error for stg.cocdev.co.kr',
  ])('leaves prose that only mentions authorization alone: %s', (text) => {
    expect(redact(text)).toBe(text);
  });
});
