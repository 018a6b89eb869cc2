import { inspect } from 'node:util';
import { REDACTED, registerSecret } from './redact.js';

/**
 * A secret value (an OpenBao token, a bearer token) that only a gateway may reveal.
 * Every way of turning it into text — String(), JSON, util.inspect, console.log — prints `[redacted]`,
 * and the value is registered with the redactor, so text from outside that quotes it is cleaned too.
 */
export class Sensitive {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
    registerSecret(value);
  }

  /** The raw value. Call only where it goes onto the wire (a request header), never into text for people. */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
