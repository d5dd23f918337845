// Kubernetes resource.Quantity (k8s.io/apimachinery/pkg/api/resource/quantity.go):
//   <quantity> ::= <signedNumber><suffix>, suffix = binarySI (Ki Mi Gi Ti Pi Ei) | decimalSI (n u m "" k M G T P E)
//   | decimalExponent (e<n> or E<n>).
import { PeapodError } from '../common/errors.js';

const BINARY: Readonly<Record<string, number>> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Readonly<Record<string, number>> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+|[numkMGTPE]?)$/;
/** The API server rejects quantities with more digits than this (quantity.go MaxInt64-based checks). */
const MAX_QUANTITY_LENGTH = 64;
/** A quantity's value (in base units, or millicores for cpu) must fit an int64, as the kubelet's do: below 2^63. */
export const QUANTITY_VALUE_LIMIT = 2 ** 63;

export interface Quantity {
  /** The value in base units (cores for cpu, bytes for memory). */
  readonly value: number;
  readonly text: string;
}

export function isQuantity(text: string): boolean {
  return text.length <= MAX_QUANTITY_LENGTH && QUANTITY.test(text);
}

export function parseQuantity(text: string): Quantity {
  const m = text.length <= MAX_QUANTITY_LENGTH ? QUANTITY.exec(text) : null;
  if (!m) throw new PeapodError('InvalidArgument', `${JSON.stringify(text)} is not a valid quantity`, { hint: 'use e.g. 500m, 1, 64Mi, 1Gi, 1e3' });
  const number = Number(m[1]);
  const suffix = m[2] ?? '';
  let factor: number;
  if (suffix in BINARY) factor = BINARY[suffix] ?? 1;
  else if (/^[eE]/.test(suffix)) factor = 10 ** Number(suffix.slice(1));
  else factor = DECIMAL[suffix] ?? 1;
  const value = number * factor;
  if (!Number.isFinite(value) || Math.abs(value) >= QUANTITY_VALUE_LIMIT) {
    throw new PeapodError('InvalidArgument', `${JSON.stringify(text)} is not a valid quantity: too large (at most 2^63-1)`);
  }
  return { value, text };
}

/** CPU in millicores, rounded up as the API server does (a quantity cannot be smaller than 1m). */
export function cpuMilli(text: string): number {
  return Math.ceil(Math.round(parseQuantity(text).value * 1000 * 1e6) / 1e6);
}

/** Memory in bytes, rounded up. */
export function memoryBytes(text: string): number {
  return Math.ceil(Math.round(parseQuantity(text).value * 1e3) / 1e3);
}
