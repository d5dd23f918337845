// The record of one stored API object: the object, what the last `apply` sent (its three-way merge's
// base) and its events (kubectl describe's Events), newest last.
import type { ApiObject } from '../../kube/kinds/index.js';

export interface ObjectEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
  readonly firstTimestamp: string;
  readonly lastTimestamp: string;
  readonly count: number;
}

export interface StoredRecord {
  readonly id: string;
  readonly kind: string;
  readonly object: ApiObject;
  readonly lastApplied?: ApiObject;
  readonly events: readonly ObjectEvent[];
}

export const MAX_OBJECT_EVENTS = 50;

export function isStoredRecord(value: unknown): value is StoredRecord {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v['id'] === 'string' && typeof v['kind'] === 'string' && typeof v['object'] === 'object' && Array.isArray(v['events']);
}

/** Appends an event, folding a repeat of the same reason and message into its count. */
export function withObjectEvent(record: StoredRecord, event: Pick<ObjectEvent, 'type' | 'reason' | 'message'>, now: Date): StoredRecord {
  const at = now.toISOString();
  const events = [...record.events];
  const index = events.findIndex((e) => e.reason === event.reason && e.message === event.message);
  const existing = index >= 0 ? events[index] : undefined;
  if (existing) {
    events.splice(index, 1);
    events.push({ ...existing, lastTimestamp: at, count: existing.count + 1 });
  } else events.push({ ...event, firstTimestamp: at, lastTimestamp: at, count: 1 });
  return { ...record, events: events.slice(-MAX_OBJECT_EVENTS) };
}
