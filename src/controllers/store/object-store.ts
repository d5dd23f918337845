// The API objects beyond Pod/ConfigMap/Secret (Deployments, Services, ...), kept as the API server keeps
// them: one atomic JSON record per object (store/record-store.ts), with metadata.uid, creationTimestamp,
// generation (bumped when the spec changes, never on a status write), a resourceVersion, finalizers and
// a deletionTimestamp while a foreground or orphan deletion waits for the garbage collector. Status is
// written separately. Every change is announced to listeners (the controller manager, watches).
import { join } from 'node:path';
import { createHash, randomInt } from 'node:crypto';
import { PeapodError } from '../../common/errors.js';
import { newUid } from '../../common/ids.js';
import { RecordStore } from '../../store/record-store.js';
import { KINDS, kindInfo, type ApiObject, type KindInfo } from '../../kube/kinds/index.js';
import type { Clock } from '../clock.js';
import { mergeApply, specPart } from './merge.js';
import { withObjectEvent, type ObjectEvent, type StoredRecord, isStoredRecord } from './record.js';
import { compareStrings } from '../../common/compare.js';

export interface ObjectKey {
  readonly kind: string;
  /** '' for a cluster-scoped kind (PersistentVolume). */
  readonly namespace: string;
  readonly name: string;
}

export type ChangeType = 'added' | 'modified' | 'deleted';

export interface ObjectChange {
  readonly type: ChangeType;
  readonly key: ObjectKey;
  /** The object as it now is, or as it last was when deleted. */
  readonly object: ApiObject;
}

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';
export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

export type ApplyAction = 'created' | 'configured' | 'unchanged';

export const keyString = (key: ObjectKey): string => `${key.kind}/${key.namespace}/${key.name}`;
export const keyOfObject = (object: ApiObject): ObjectKey => ({ kind: object.kind, namespace: object.metadata.namespace ?? '', name: object.metadata.name });

const MAX_ID = 200;
const ID_HASH = 32;
/**
 * `<namespace>_<name>` as a record file name, `cluster_<name>` for a cluster-scoped kind (a record id must
 * start with a letter or digit; such a kind's store holds no namespaced names), hashed when too long.
 */
function recordId(key: ObjectKey): string {
  const id = `${key.namespace || 'cluster'}_${key.name}`;
  if (id.length <= MAX_ID) return id;
  return `${id.slice(0, MAX_ID - ID_HASH - 1)}-${createHash('sha256').update(id).digest('hex').slice(0, ID_HASH)}`;
}

/** The API server's generateName suffix alphabet (no vowels, no confusable digits). */
const SUFFIX_CHARS = 'bcdfghjklmnpqrstvwxz2456789';
export const randomSuffix = (length = 5): string => Array.from({ length }, () => SUFFIX_CHARS[randomInt(SUFFIX_CHARS.length)]).join('');

export class ApiObjectStore {
  private readonly stores = new Map<string, RecordStore<StoredRecord>>();
  private readonly byUid = new Map<string, ObjectKey>();
  private readonly listeners = new Set<(change: ObjectChange) => void>();
  private readonly admissions = new Map<string, (object: ApiObject) => ApiObject>();
  private resourceVersion = 0;

  constructor(
    root: string,
    private readonly clock: Clock,
  ) {
    for (const k of KINDS) this.stores.set(k.kind, new RecordStore(join(root, 'records', 'apiobjects', k.plural), isStoredRecord));
  }

  async load(onCorrupt?: (file: string, err: unknown) => void): Promise<void> {
    for (const store of this.stores.values()) {
      await store.load(onCorrupt);
      for (const record of store.list()) {
        this.byUid.set(record.object.metadata.uid ?? '', keyOfObject(record.object));
        this.resourceVersion = Math.max(this.resourceVersion, Number(record.object.metadata.resourceVersion ?? 0));
      }
    }
  }

  private storeOf(kind: string): RecordStore<StoredRecord> {
    const store = this.stores.get(kind);
    if (!store) throw new PeapodError('InvalidArgument', `the server doesn't have a resource type "${kind}"`);
    return store;
  }

  private infoOf(kind: string): KindInfo {
    const info = kindInfo(kind);
    if (!info) throw new PeapodError('InvalidArgument', `the server doesn't have a resource type "${kind}"`);
    return info;
  }

  /**
   * An admission step for a kind, run on apply and create after the defaults and before the write (the
   * API server's allocations: a Service's cluster IP and NodePorts). It may throw to refuse the object.
   */
  setAdmission(kind: string, admit: (object: ApiObject) => ApiObject): void {
    this.admissions.set(kind, admit);
  }

  private admit(object: ApiObject): ApiObject {
    const admit = this.admissions.get(object.kind);
    return admit ? admit(object) : object;
  }

  private admitDefaulted(info: KindInfo, object: ApiObject): ApiObject {
    return this.admit(info.defaults(object));
  }

  /** Listens to every change; returns the unsubscribe. Listeners run synchronously after the write. */
  onChange(listener: (change: ObjectChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(type: ChangeType, object: ApiObject): void {
    const change: ObjectChange = { type, key: keyOfObject(object), object };
    for (const listener of [...this.listeners]) listener(change);
  }

  private nextVersion(): string {
    this.resourceVersion += 1;
    return String(this.resourceVersion);
  }

  get<T extends ApiObject = ApiObject>(key: ObjectKey): T | undefined {
    return this.stores.get(key.kind)?.get(recordId(key))?.object as T | undefined;
  }

  /** The object with this UID, of any kind (owner look-ups of the garbage collector). */
  getByUid(uid: string): ApiObject | undefined {
    const key = this.byUid.get(uid);
    const object = key ? this.get(key) : undefined;
    return object?.metadata.uid === uid ? object : undefined;
  }

  list<T extends ApiObject = ApiObject>(kind: string, namespace?: string): T[] {
    return this.storeOf(kind)
      .list()
      .map((r) => r.object as T)
      .filter((o) => namespace === undefined || (o.metadata.namespace ?? '') === namespace)
      .sort((a, b) => compareStrings(a.metadata.namespace ?? '', b.metadata.namespace ?? '') || compareStrings(a.metadata.name, b.metadata.name));
  }

  /** Every object of every kind. */
  all(): ApiObject[] {
    return [...this.stores.values()].flatMap((s) => s.list().map((r) => r.object));
  }

  events(key: ObjectKey): readonly ObjectEvent[] {
    return this.stores.get(key.kind)?.get(recordId(key))?.events ?? [];
  }

  /** `peapod apply`: create, or three-way merge into the stored object; defaults after the merge. */
  async apply(applied: ApiObject): Promise<ApplyAction> {
    const info = this.infoOf(applied.kind);
    const key = keyOfObject(applied);
    const store = this.storeOf(key.kind);
    const id = recordId(key);
    const { status: _status, ...lastApplied } = applied;
    const existing = store.get(id);
    if (!existing) {
      await this.create(applied, { lastApplied });
      return 'created';
    }
    if (existing.object.metadata.deletionTimestamp !== undefined)
      throw new PeapodError('FailedPrecondition', `${info.plural} "${key.name}" is being deleted; wait for the deletion to finish`);
    const merged = this.admit(info.defaults(mergeApply(existing.object, existing.lastApplied, lastApplied, info.specFields ?? ['spec'])));
    const refused = info.validateUpdate?.(existing.object, merged);
    if (refused !== undefined) throw new PeapodError('InvalidArgument', `${info.kind} "${key.name}" is invalid: ${refused}`);
    if (JSON.stringify(merged) === JSON.stringify(existing.object) && JSON.stringify(lastApplied) === JSON.stringify(existing.lastApplied)) return 'unchanged';
    await this.write(key, () => merged, { lastApplied });
    return JSON.stringify(merged) === JSON.stringify(existing.object) ? 'unchanged' : 'configured';
  }

  /**
   * Creates an object (a controller's ReplicaSet, a Job's ...): uid, creationTimestamp, generation 1; a
   * `generateName` without a name gets a random suffix. AlreadyExists when the name is taken.
   */
  async create<T extends ApiObject>(object: T, options: { lastApplied?: ApiObject } = {}): Promise<T> {
    const info = this.infoOf(object.kind);
    let name = object.metadata.name;
    if (!name && object.metadata.generateName) name = `${object.metadata.generateName}${randomSuffix()}`;
    const namespace = info.namespaced ? (object.metadata.namespace ?? 'default') : undefined;
    const key: ObjectKey = { kind: object.kind, namespace: namespace ?? '', name };
    const store = this.storeOf(object.kind);
    const id = recordId(key);
    if (store.get(id)) throw new PeapodError('AlreadyExists', `${info.plural} "${name}" already exists`);
    const { status, ...rest } = object as ApiObject;
    const stored = this.admitDefaulted(info, {
      ...rest,
      apiVersion: object.apiVersion,
      kind: object.kind,
      metadata: {
        ...object.metadata,
        name,
        ...(namespace !== undefined ? { namespace } : {}),
        uid: newUid(),
        creationTimestamp: this.clock
          .now()
          .toISOString()
          .replace(/\.\d{3}Z$/, 'Z'),
        generation: 1,
        resourceVersion: this.nextVersion(),
      },
      ...(status !== undefined ? { status } : {}),
    });
    await store.put({ id, kind: object.kind, object: stored, ...(options.lastApplied ? { lastApplied: options.lastApplied } : {}), events: [] });
    this.byUid.set(stored.metadata.uid ?? '', key);
    this.emit('added', stored);
    return stored as T;
  }

  /**
   * Read-modify-write of an object's spec and metadata (a controller's scale, an annotation, an owner
   * reference removed). The status stays as stored; generation is bumped when the spec changed.
   * NotFound when absent; `uid` guards against a same-named successor.
   */
  async update<T extends ApiObject>(key: ObjectKey, fn: (current: T) => T, options: { uid?: string } = {}): Promise<T> {
    const info = this.infoOf(key.kind);
    return (await this.write(key, (current) => {
      if (options.uid !== undefined && current.metadata.uid !== options.uid) throw notFound(info, key.name);
      const next = fn(current as T);
      const { status: _ignored, ...rest } = next as ApiObject;
      const metadata = { ...next.metadata, uid: current.metadata.uid ?? '', creationTimestamp: current.metadata.creationTimestamp ?? '' };
      return info.defaults({ ...rest, metadata, ...(current.status !== undefined ? { status: current.status } : {}) });
    })) as T;
  }

  /** Writes only the status (the /status subresource): no generation bump, a lighter fsync. */
  async updateStatus<T extends ApiObject>(key: ObjectKey, status: T['status']): Promise<T> {
    return (await this.write(key, (current) => ({ ...current, status }), { sync: 'data' })) as T;
  }

  private async write(key: ObjectKey, fn: (current: ApiObject) => ApiObject, options: { lastApplied?: ApiObject; sync?: 'data' } = {}): Promise<ApiObject> {
    const info = this.infoOf(key.kind);
    const store = this.storeOf(key.kind);
    const id = recordId(key);
    if (!store.get(id)) throw notFound(info, key.name);
    let changed = false;
    const record = await store.update(
      id,
      (r) => {
        const next = fn(r.object);
        changed = JSON.stringify(next) !== JSON.stringify(r.object);
        if (!changed && options.lastApplied === undefined) return r;
        const generation = (r.object.metadata.generation ?? 1) + (specPart(next) !== specPart(r.object) ? 1 : 0);
        const object = changed ? { ...next, metadata: { ...next.metadata, generation, resourceVersion: this.nextVersion() } } : r.object;
        return { ...r, object, ...(options.lastApplied ? { lastApplied: options.lastApplied } : {}) };
      },
      options.sync ? { sync: options.sync } : {},
    );
    if (changed) {
      if (record.object.metadata.deletionTimestamp !== undefined && (record.object.metadata.finalizers ?? []).length === 0) {
        await this.remove(key);
      } else this.emit('modified', record.object);
    }
    return record.object;
  }

  /**
   * Deletes as the API server does: at once when nothing holds the object (Background), or marks it
   * (deletionTimestamp + the policy's finalizer) for the garbage collector to finish (Foreground waits for
   * the dependents, Orphan first frees them). An object other finalizers hold is only marked. Idempotent;
   * false when there was nothing to delete.
   */
  async delete(key: ObjectKey, policy: PropagationPolicy = 'Background'): Promise<boolean> {
    const current = this.get(key);
    if (!current) return false;
    const finalizers = current.metadata.finalizers ?? [];
    const extra = policy === 'Foreground' ? FOREGROUND_FINALIZER : policy === 'Orphan' ? ORPHAN_FINALIZER : undefined;
    if (extra === undefined && finalizers.length === 0) {
      await this.remove(key);
      return true;
    }
    await this.write(key, (o) => ({
      ...o,
      metadata: {
        ...o.metadata,
        deletionTimestamp:
          o.metadata.deletionTimestamp ??
          this.clock
            .now()
            .toISOString()
            .replace(/\.\d{3}Z$/, 'Z'),
        finalizers: extra === undefined || finalizers.includes(extra) ? finalizers : [...finalizers, extra],
      },
    }));
    return true;
  }

  /** Drops a finalizer; the last one gone from an object being deleted removes it. */
  async removeFinalizer(key: ObjectKey, finalizer: string): Promise<void> {
    if (!this.get(key)) return;
    await this.write(key, (o) => ({ ...o, metadata: { ...o.metadata, finalizers: (o.metadata.finalizers ?? []).filter((f) => f !== finalizer) } }));
  }

  private async remove(key: ObjectKey): Promise<void> {
    const store = this.storeOf(key.kind);
    const last = store.get(recordId(key))?.object;
    await store.delete(recordId(key));
    if (!last) return;
    this.byUid.delete(last.metadata.uid ?? '');
    this.emit('deleted', last);
  }

  /** Notes an event on the object (kubectl describe's Events); no resourceVersion, no change announced. */
  async recordEvent(key: ObjectKey, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const store = this.stores.get(key.kind);
    const id = recordId(key);
    if (!store?.get(id)) return;
    await store.update(id, (r) => withObjectEvent(r, { type, reason, message }, this.clock.now()), { sync: 'data' }).catch(() => undefined);
  }
}

function notFound(info: KindInfo, name: string): PeapodError {
  const group = info.apiVersion.includes('/') ? `.${info.apiVersion.split('/')[0] ?? ''}` : '';
  return new PeapodError('NotFound', `${info.plural}${group} "${name}" not found`);
}
