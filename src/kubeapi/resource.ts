// What the REST front needs from each kind it serves: read, write and a change signal. The stores behind
// are the daemon's own (pod manager, object store, host facts); this layer only translates.
import { createHash } from 'node:crypto';
import { text, type KubeObj } from './table.js';

export interface WriteOptions {
  readonly dryRun: boolean;
  /** ?fieldValidation: Strict refuses unknown fields before any other check, as the API server's strict decoder. */
  readonly fieldValidation: 'Strict' | 'Warn' | 'Ignore';
  /** Unknown fields found by validation (the caller decides, by fieldValidation, to warn or refuse). */
  readonly onUnknownField: (path: string) => void;
}

export interface DeleteOptions {
  readonly gracePeriodSeconds?: number;
  readonly dryRun: boolean;
  /** DeleteOptions.propagationPolicy (body or query): Background, Foreground or Orphan. */
  readonly propagationPolicy?: string;
}

export interface ResourceStore {
  /** The plural, as in the URL. */
  readonly resource: string;
  readonly kind: string;
  /** `apps/v1` for a named group; undefined for the core group (v1, served under /api/v1). */
  readonly groupVersion?: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly verbs: readonly string[];
  list(namespace: string | undefined): KubeObj[];
  get(namespace: string, name: string): KubeObj | undefined;
  create?(namespace: string, body: Record<string, unknown>, options: WriteOptions): Promise<KubeObj>;
  update?(namespace: string, name: string, body: Record<string, unknown>, options: WriteOptions): Promise<KubeObj>;
  /** The object as it is once the delete was accepted (Terminating), or undefined when it is gone already. */
  delete?(namespace: string, name: string, options: DeleteOptions): Promise<KubeObj | undefined>;
  /** Calls back when something of this kind may have changed; returns the unsubscribe. */
  onChange(listener: () => void): () => void;
}

/**
 * resourceVersion: one counter for the whole API (as etcd's revision), bumped when an object's content
 * changes. Started from the clock so versions keep growing across daemon restarts.
 */
export class ResourceVersions {
  private counter = Date.now();
  private readonly seen = new Map<string, { hash: string; rv: string }>();

  current(): string {
    return String(this.counter);
  }

  /** The object with metadata.resourceVersion set: unchanged content keeps its version. */
  stamp(resource: string, object: KubeObj): KubeObj {
    const key = `${resource}/${text(object.metadata['namespace'], '')}/${text(object.metadata['name'], '')}/${text(object.metadata['uid'], '')}`;
    const hash = createHash('sha256').update(JSON.stringify(object)).digest('hex');
    let entry = this.seen.get(key);
    if (entry?.hash !== hash) {
      this.counter += 1;
      entry = { hash, rv: String(this.counter) };
      this.seen.set(key, entry);
    }
    return { ...object, metadata: { ...object.metadata, resourceVersion: entry.rv } };
  }

  /** A deletion is a change too: watchers get a DELETED with a newer version. */
  bump(): string {
    this.counter += 1;
    return String(this.counter);
  }
}
