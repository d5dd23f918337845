// Static pods: the daemon watches a manifest directory, like the kubelet's --pod-manifest-path.
// Each file's pods are named <name>-<node hostname>; adding, changing or removing a file creates,
// replaces or deletes its pods; a broken file is reported and leaves every other pod alone.
import { mkdir, readdir, watch } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { errorMessage } from '../common/errors.js';
import { loadManifests } from '../kube/load.js';
import { isCoreObject } from '../kube/manifest-object.js';
import type { Pod } from '../kube/types.js';
import type { PodManager } from './manager.js';

const MANIFEST_FILE = /\.(ya?ml|json)$/;
/** Batch bursts of file events (editors write in several steps) into one rescan. */
const RESCAN_DEBOUNCE_MS = 200;
export const STATIC_POD_SOURCE_ANNOTATION = 'kubernetes.io/config.source';
export const STATIC_POD_FILE_ANNOTATION = 'peapod.io/manifest-file';

export function staticPodName(name: string, node: string = hostname()): string {
  return `${name}-${node.toLowerCase()}`;
}

export class StaticPodWatcher {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private scanning: Promise<void> = Promise.resolve();

  constructor(
    private readonly dir: string,
    private readonly pods: PodManager,
    private readonly log: (message: string) => void,
  ) {}

  async start(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await this.rescan();
    void this.watchLoop();
  }

  stop(): void {
    this.controller.abort();
    if (this.timer) clearTimeout(this.timer);
  }

  /** Resolves after the scan in progress (and any queued one) finished. */
  settled(): Promise<void> {
    return this.scanning;
  }

  private async watchLoop(): Promise<void> {
    try {
      for await (const _event of watch(this.dir, { signal: this.controller.signal })) this.schedule();
    } catch (err) {
      if (!this.controller.signal.aborted) this.log(`static pods: watching ${this.dir} stopped: ${errorMessage(err)}`);
    }
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.scanning = this.scanning.then(() => this.rescan());
    }, RESCAN_DEBOUNCE_MS);
  }

  /** Makes the static pods match the directory's files. */
  async rescan(): Promise<void> {
    const files = (await readdir(this.dir).catch(() => [] as string[])).filter((f) => MANIFEST_FILE.test(f) && !f.startsWith('.')).sort();
    const wanted = new Map<string, Pod>();
    const brokenFiles = new Set<string>();
    for (const file of files) {
      try {
        const loaded = await loadManifests(join(this.dir, file));
        for (const { object } of loaded.objects) {
          if (!isCoreObject(object) || object.kind !== 'Pod') continue;
          const name = staticPodName(object.metadata.name);
          wanted.set(`${object.metadata.namespace ?? 'default'}/${name}`, {
            ...object,
            metadata: {
              ...object.metadata,
              name,
              annotations: { ...(object.metadata.annotations ?? {}), [STATIC_POD_SOURCE_ANNOTATION]: 'file', [STATIC_POD_FILE_ANNOTATION]: file },
            },
          });
        }
      } catch (err) {
        brokenFiles.add(file);
        this.log(`static pods: ${file}: ${errorMessage(err)}`);
      }
    }
    for (const [key, pod] of wanted) {
      try {
        await this.pods.apply([pod], { force: true, source: 'static' });
      } catch (err) {
        this.log(`static pods: ${key}: ${errorMessage(err)}`);
      }
    }
    for (const record of this.pods.pods.list().filter((r) => r.source === 'static')) {
      const key = `${record.pod.metadata.namespace ?? 'default'}/${record.pod.metadata.name}`;
      const file = record.pod.metadata.annotations?.[STATIC_POD_FILE_ANNOTATION] ?? '';
      // A file that fails to parse keeps its pods running: a typo must not take a pod down.
      if (wanted.has(key) || brokenFiles.has(file)) continue;
      await this.pods.delete(record.pod.metadata.namespace ?? 'default', record.pod.metadata.name, {});
    }
  }
}
