// IPv4 addresses and CIDR ranges as 32-bit numbers: the service range, its allocator and the checks that
// keep it apart from the pod subnet.
import { PeapodError } from './errors.js';

export interface Ipv4Cidr {
  /** The network address (host bits cleared) as an unsigned 32-bit number. */
  readonly base: number;
  readonly prefix: number;
  /** Addresses in the range, network and broadcast included. */
  readonly size: number;
}

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** "10.96.0.1" → 0x0a600001, or undefined when it is not a dotted quad. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/**
 * Parses "a.b.c.d/n", naming `field` in the error. Strict (the service range): host bits set are refused,
 * as kube-apiserver refuses them; loose (the pod subnet, which host-local takes either way): they are cleared.
 */
export function parseCidr(text: string, field: string, mode: 'strict' | 'loose' = 'strict'): Ipv4Cidr {
  const [addr, bits, extra] = text.split('/');
  const ip = addr === undefined ? undefined : parseIpv4(addr);
  const prefix = bits !== undefined && /^\d{1,2}$/.test(bits) ? Number(bits) : NaN;
  if (ip === undefined || extra !== undefined || !(prefix >= 0 && prefix <= 32))
    throw new PeapodError('InvalidArgument', `${field}: "${text}" is not an IPv4 CIDR (e.g. 10.96.0.0/16)`);
  const size = 2 ** (32 - prefix);
  if (mode === 'loose') return { base: ip - (ip % size), prefix, size };
  if (ip % size !== 0) throw new PeapodError('InvalidArgument', `${field}: "${text}" has host bits set (the range starts at ${formatIpv4(ip - (ip % size))})`);
  return { base: ip, prefix, size };
}

export function cidrContains(cidr: Ipv4Cidr, ip: number): boolean {
  return ip >= cidr.base && ip < cidr.base + cidr.size;
}

export function cidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return a.base < b.base + b.size && b.base < a.base + a.size;
}

export function formatCidr(cidr: Ipv4Cidr): string {
  return `${formatIpv4(cidr.base)}/${cidr.prefix}`;
}

/** The pod subnet's gateway as host-local IPAM picks it without an explicit one: the first address. */
export function firstHostAddress(cidr: Ipv4Cidr): string {
  return formatIpv4(cidr.base + 1);
}
