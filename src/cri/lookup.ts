// ID lookup as containerd and CRI-O do it: a full ID or a unique prefix (crictl users type prefixes).
import { PeapodError } from '../common/errors.js';
import type { RuntimeService } from '../runtime/service.js';
import type { ContainerRecord, SandboxRecord } from '../runtime/types.js';

function byPrefix<T extends { readonly id: string }>(records: readonly T[], id: string, kind: string): T | undefined {
  if (id === '') throw new PeapodError('InvalidArgument', `${kind} ID must not be empty`);
  const exact = records.find((r) => r.id === id);
  if (exact) return exact;
  const matches = records.filter((r) => r.id.startsWith(id));
  if (matches.length > 1) {
    throw new PeapodError('InvalidArgument', `${kind} ID prefix ${JSON.stringify(id)} is ambiguous: it matches ${matches.map((m) => m.id).join(', ')}`);
  }
  return matches[0];
}

export function findSandbox(runtime: RuntimeService, id: string): SandboxRecord | undefined {
  return byPrefix(runtime.sandboxes.list(), id, 'pod sandbox');
}

export function findContainer(runtime: RuntimeService, id: string): ContainerRecord | undefined {
  return byPrefix(runtime.containers.list(), id, 'container');
}

export function requireSandbox(runtime: RuntimeService, id: string): SandboxRecord {
  const record = findSandbox(runtime, id);
  if (!record) throw new PeapodError('NotFound', `pod sandbox ${JSON.stringify(id)} not found`);
  return record;
}

export function requireContainer(runtime: RuntimeService, id: string): ContainerRecord {
  const record = findContainer(runtime, id);
  if (!record) throw new PeapodError('NotFound', `container ${JSON.stringify(id)} not found`);
  return record;
}

/** Every key=value of the selector is among the labels (the kubelet's and crictl's label filter). */
export function matchesLabels(labels: Readonly<Record<string, string>>, selector: Readonly<Record<string, string>>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}
