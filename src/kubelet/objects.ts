// ConfigMaps and Secrets applied to this host, kept as atomic JSON records per namespace and name.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { RecordStore } from '../store/record-store.js';
import type { ConfigMap, Secret } from '../kube/types.js';

interface ObjectRecord<T> {
  readonly id: string;
  readonly object: T;
}

const isObjectRecord = <T>(value: unknown): value is ObjectRecord<T> =>
  typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'string' && 'object' in value;

/** Record IDs are file names of at most 200 characters; `<namespace>_<name>` can reach 317 (63 + 1 + 253). */
const MAX_KEY_LENGTH = 200;
const KEY_HASH_LENGTH = 32;

/** `<namespace>_<name>`, or when too long its head and a hash of the whole: unique, and a valid file name. */
const keyOf = (namespace: string, name: string): string => {
  const key = `${namespace}_${name}`;
  if (key.length <= MAX_KEY_LENGTH) return key;
  const hash = createHash('sha256').update(key).digest('hex').slice(0, KEY_HASH_LENGTH);
  return `${key.slice(0, MAX_KEY_LENGTH - KEY_HASH_LENGTH - 1)}-${hash}`;
};

export type ObjectKind = 'ConfigMap' | 'Secret';

export class ObjectStore {
  private readonly configMaps: RecordStore<ObjectRecord<ConfigMap>>;
  private readonly secrets: RecordStore<ObjectRecord<Secret>>;
  private readonly listeners: ((kind: ObjectKind, namespace: string, name: string) => void)[] = [];

  constructor(root: string) {
    this.configMaps = new RecordStore(join(root, 'configmaps'), isObjectRecord<ConfigMap>);
    this.secrets = new RecordStore(join(root, 'secrets'), isObjectRecord<Secret>);
  }

  async load(): Promise<void> {
    await this.configMaps.load();
    await this.secrets.load();
  }

  configMap(namespace: string, name: string): ConfigMap | undefined {
    return this.configMaps.get(keyOf(namespace, name))?.object;
  }

  secret(namespace: string, name: string): Secret | undefined {
    return this.secrets.get(keyOf(namespace, name))?.object;
  }

  /** Called after a ConfigMap or Secret was created, changed or deleted (the pods using it re-project their volumes). */
  onChange(listener: (kind: ObjectKind, namespace: string, name: string) => void): () => void {
    this.listeners.push(listener);
    // The unsubscribe: a Kubernetes API watch listens only while its client does.
    return () => {
      const at = this.listeners.indexOf(listener);
      if (at >= 0) this.listeners.splice(at, 1);
    };
  }

  private changed(kind: ObjectKind, namespace: string, name: string): void {
    for (const listener of this.listeners) listener(kind, namespace, name);
  }

  async putConfigMap(namespace: string, object: ConfigMap): Promise<'created' | 'configured' | 'unchanged'> {
    const action = await put(this.configMaps, keyOf(namespace, object.metadata.name), object);
    if (action !== 'unchanged') this.changed('ConfigMap', namespace, object.metadata.name);
    return action;
  }

  async putSecret(namespace: string, object: Secret): Promise<'created' | 'configured' | 'unchanged'> {
    const action = await put(this.secrets, keyOf(namespace, object.metadata.name), object);
    if (action !== 'unchanged') this.changed('Secret', namespace, object.metadata.name);
    return action;
  }

  async deleteConfigMap(namespace: string, name: string): Promise<boolean> {
    const existed = this.configMaps.get(keyOf(namespace, name)) !== undefined;
    await this.configMaps.delete(keyOf(namespace, name));
    if (existed) this.changed('ConfigMap', namespace, name);
    return existed;
  }

  async deleteSecret(namespace: string, name: string): Promise<boolean> {
    const existed = this.secrets.get(keyOf(namespace, name)) !== undefined;
    await this.secrets.delete(keyOf(namespace, name));
    if (existed) this.changed('Secret', namespace, name);
    return existed;
  }

  list(): { configMaps: ConfigMap[]; secrets: Secret[] } {
    return { configMaps: this.configMaps.list().map((r) => r.object), secrets: this.secrets.list().map((r) => r.object) };
  }
}

async function put<T>(store: RecordStore<ObjectRecord<T>>, id: string, object: T): Promise<'created' | 'configured' | 'unchanged'> {
  const existing = store.get(id);
  if (existing && JSON.stringify(existing.object) === JSON.stringify(object)) return 'unchanged';
  await store.put({ id, object });
  return existing ? 'configured' : 'created';
}
