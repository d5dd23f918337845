// The local API's wire conventions, shared by server and client: JSON bodies, errors as
// { error: { code, message, hint } } with the HTTP status of their class, and streams as NDJSON
// whose lines are { event } ... then exactly one { result } or { error }.
import type { ErrorCode } from '../common/errors.js';

export interface WireError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly hint?: string;
}

export type StreamLine<E, R> = { readonly event: E } | { readonly result: R } | { readonly error: WireError };

export const API_VERSION = 'v1';
export const NDJSON = 'application/x-ndjson';
