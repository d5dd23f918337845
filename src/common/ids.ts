import { randomBytes, randomUUID } from 'node:crypto';

/** A 64-hex-digit ID like runc's and containerd's container IDs. */
export function newId(): string {
  return randomBytes(32).toString('hex');
}

export function newUid(): string {
  return randomUUID();
}

const ID_PATTERN = /^[0-9a-f]{64}$/;

/** IDs become path components: only ever accept the exact shape we generate. */
export function isId(value: string): boolean {
  return ID_PATTERN.test(value);
}

export function shortId(id: string): string {
  return id.slice(0, 12);
}
