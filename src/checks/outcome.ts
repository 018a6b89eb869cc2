import { isGatewayError, type GatewayErrorKind } from '../gateways/errors.js';

/** A GatewayError as plain data: facts stay printable and carry no `cause`. */
export interface Failure {
  kind: GatewayErrorKind;
  message: string;
  /** For `forbidden`: the missing permission, e.g. `list secrets in plate-stg`. */
  permission: string | null;
}

/** The result of one gateway call: a value, or the GatewayError it rejected with. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; failure: Failure };

/** Runs one gateway call, keeping a GatewayError as a value; any other error propagates to the engine. */
export async function attempt<T>(call: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    if (!isGatewayError(error)) throw error;
    return {
      ok: false,
      failure: { kind: error.kind, message: error.message, permission: error.permission ?? null },
    };
  }
}
