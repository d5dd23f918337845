// ConfigMaps and Secrets through the object store the pods' volumes and env read; Namespaces as the
// names in use (plus the four a cluster always has); Events from the pod records' event lists.
import { createHash, randomUUID } from 'node:crypto';
import type { ConfigMap, Secret } from '../../kube/types.js';
import type { PodManager } from '../../kubelet/manager.js';
import type { ResourceStore, WriteOptions } from '../resource.js';
import { alreadyExists, notFound } from '../status.js';
import { text, type KubeObj } from '../table.js';
import { withoutServerFields } from './pods.js';
import { validateForApi } from './validation.js';

const asObj = (o: unknown): KubeObj => o as KubeObj;
const nsOf = (o: { metadata: { namespace?: string } }): string => o.metadata.namespace ?? 'default';

export function dataStore(pods: PodManager, kind: 'ConfigMap' | 'Secret'): ResourceStore {
  const objects = pods.objects;
  const all = (): (ConfigMap | Secret)[] => (kind === 'ConfigMap' ? objects.list().configMaps : objects.list().secrets);
  const find = (namespace: string, name: string): ConfigMap | Secret | undefined =>
    kind === 'ConfigMap' ? objects.configMap(namespace, name) : objects.secret(namespace, name);
  const put = async (namespace: string, body: Record<string, unknown>, previous: ConfigMap | Secret | undefined, options: WriteOptions): Promise<KubeObj> => {
    const cleaned = withoutServerFields(body);
    const metadata = {
      ...(cleaned['metadata'] as Record<string, unknown>),
      namespace,
      uid: previous?.metadata.uid ?? randomUUID(),
      creationTimestamp: previous?.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    };
    const valid = validateForApi({ ...cleaned, metadata }, kind, options);
    // The API server folds stringData into data (base64) and never stores stringData.
    let object = valid;
    if (kind === 'Secret') {
      const { stringData, ...rest } = valid;
      const data = { ...(rest['data'] as Record<string, string> | undefined) };
      for (const [k, v] of Object.entries((stringData ?? {}) as Record<string, string>)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
      object = { ...rest, type: rest['type'] ?? 'Opaque', data };
    }
    if (!options.dryRun) {
      if (kind === 'ConfigMap') await objects.putConfigMap(namespace, object as unknown as ConfigMap);
      else await objects.putSecret(namespace, object as unknown as Secret);
    }
    return asObj(object);
  };
  const resource = kind === 'ConfigMap' ? 'configmaps' : 'secrets';
  return {
    resource,
    kind,
    namespaced: true,
    shortNames: kind === 'ConfigMap' ? ['cm'] : [],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    list: (namespace) =>
      all()
        .filter((o) => namespace === undefined || nsOf(o) === namespace)
        .map(asObj),
    get: (namespace, name) => {
      const o = find(namespace, name);
      return o ? asObj(o) : undefined;
    },
    async create(namespace, body, options) {
      const name = text((body['metadata'] as Record<string, unknown> | undefined)?.['name'], '');
      if (find(namespace, name)) throw alreadyExists(resource, name);
      return put(namespace, body, undefined, options);
    },
    async update(namespace, name, body, options) {
      const previous = find(namespace, name);
      if (!previous) throw notFound(resource, name);
      return put(namespace, body, previous, options);
    },
    async delete(namespace, name, options) {
      if (!find(namespace, name)) throw notFound(resource, name);
      if (!options.dryRun) await (kind === 'ConfigMap' ? objects.deleteConfigMap(namespace, name) : objects.deleteSecret(namespace, name));
      return undefined;
    },
    onChange: (listener) =>
      objects.onChange((k) => {
        if (k === kind) listener();
      }),
  };
}

const ALWAYS = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];

export function namespaceStore(pods: PodManager, bootTime: string): ResourceStore {
  const names = (): string[] => {
    const used = [
      ...pods.pods.list().map((r) => r.pod.metadata.namespace ?? 'default'),
      ...pods.objects.list().configMaps.map(nsOf),
      ...pods.objects.list().secrets.map(nsOf),
    ];
    return [...new Set([...ALWAYS, ...used])].sort();
  };
  const object = (name: string): KubeObj => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      uid: createHash('sha256').update(`namespace/${name}`).digest('hex').slice(0, 32),
      creationTimestamp: bootTime,
      labels: { 'kubernetes.io/metadata.name': name },
    },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  });
  return {
    resource: 'namespaces',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
    verbs: ['get', 'list', 'watch'],
    list: () => names().map(object),
    get: (_ns, name) => (names().includes(name) ? object(name) : undefined),
    onChange: (listener) => pods.onChange(() => listener()),
  };
}

export function eventStore(pods: PodManager, host: string): ResourceStore {
  const events = (): KubeObj[] =>
    pods.pods.list().flatMap((r) =>
      r.events.map((e, i) => {
        const namespace = r.pod.metadata.namespace ?? 'default';
        const name = `${r.pod.metadata.name}.${createHash('sha256').update(`${r.id}/${i}/${e.firstTimestamp}/${e.reason}`).digest('hex').slice(0, 16)}`;
        return {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name, namespace, uid: createHash('sha256').update(name).digest('hex').slice(0, 32), creationTimestamp: e.firstTimestamp },
          involvedObject: {
            kind: 'Pod',
            namespace,
            name: r.pod.metadata.name,
            uid: r.pod.metadata.uid ?? r.id,
            apiVersion: 'v1',
            ...(e.object && e.object !== r.pod.metadata.name ? { fieldPath: e.object } : {}),
          },
          reason: e.reason,
          message: e.message,
          source: { component: 'kubelet', host },
          firstTimestamp: e.firstTimestamp,
          lastTimestamp: e.lastTimestamp,
          count: e.count,
          type: e.type,
          eventTime: null,
          reportingComponent: 'kubelet',
          reportingInstance: host,
        };
      }),
    );
  return {
    resource: 'events',
    kind: 'Event',
    namespaced: true,
    shortNames: ['ev'],
    verbs: ['get', 'list', 'watch'],
    list: (namespace) => events().filter((e) => namespace === undefined || e.metadata['namespace'] === namespace),
    get: (namespace, name) => events().find((e) => e.metadata['namespace'] === namespace && e.metadata['name'] === name),
    onChange: (listener) => pods.onChange(() => listener()),
  };
}
