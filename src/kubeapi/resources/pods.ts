// Pods through the pod manager: the same validation, defaults, update rules and records as `peapod apply`.
import { PeapodError, errorCode, errorMessage } from '../../common/errors.js';
import { applyDefaults } from '../../kube/defaults.js';
import type { Pod } from '../../kube/types.js';
import type { PodManager } from '../../kubelet/manager.js';
import type { PodRecord } from '../../kubelet/pod-record.js';
import type { DeleteOptions, ResourceStore, WriteOptions } from '../resource.js';
import { alreadyExists, invalid, notFound } from '../status.js';
import { DISPLAY_STATUS, type KubeObj } from '../table.js';
import { validateForApi } from './validation.js';

/** Set by the API server, never by the client: dropped from what is stored. */
const SERVER_FIELDS = ['resourceVersion', 'managedFields', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'selfLink'];

export function withoutServerFields(body: Record<string, unknown>): Record<string, unknown> {
  const metadata = { ...(body['metadata'] as Record<string, unknown> | undefined) };
  for (const f of SERVER_FIELDS) delete metadata[f];
  const { status: _status, ...rest } = body;
  return { ...rest, metadata };
}

/** metav1.Time is RFC 3339 with whole seconds. */
const seconds = (iso: string): string => iso.replace(/\.\d+Z$/, 'Z');

export function podToObject(pods: PodManager, record: PodRecord, nodeName: string): KubeObj {
  const view = pods.view(record);
  const deletion = record.deletion
    ? {
        deletionTimestamp: seconds(new Date(Date.parse(record.deletion.requestedAt) + record.deletion.graceSeconds * 1000).toISOString()),
        deletionGracePeriodSeconds: record.deletion.graceSeconds,
      }
    : {};
  return {
    ...(view.pod as unknown as KubeObj),
    metadata: {
      ...view.pod.metadata,
      ...(view.pod.metadata.creationTimestamp ? { creationTimestamp: seconds(view.pod.metadata.creationTimestamp) } : {}),
      ...deletion,
    },
    spec: { ...view.pod.spec, nodeName },
    [DISPLAY_STATUS]: view.displayStatus,
  };
}

export function podStore(pods: PodManager, nodeName: string): ResourceStore {
  const toPod = (namespace: string, body: Record<string, unknown>, options: WriteOptions): Pod => {
    const cleaned = withoutServerFields(body);
    const spec = { ...(cleaned['spec'] as Record<string, unknown> | undefined) };
    if (spec['nodeName'] === nodeName) delete spec['nodeName'];
    const metadata = { ...(cleaned['metadata'] as Record<string, unknown>), namespace };
    const pod = validateForApi({ ...cleaned, spec, metadata }, 'Pod', options) as unknown as Pod;
    return applyDefaults(pod);
  };
  const current = (namespace: string, name: string): KubeObj => {
    const record = pods.find(namespace, name);
    if (!record) throw notFound('pods', name);
    return podToObject(pods, record, nodeName);
  };
  return {
    resource: 'pods',
    kind: 'Pod',
    namespaced: true,
    shortNames: ['po'],
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    list: (namespace) =>
      pods.pods
        .list()
        .filter((r) => namespace === undefined || (r.pod.metadata.namespace ?? 'default') === namespace)
        .map((r) => podToObject(pods, r, nodeName)),
    get: (namespace, name) => {
      const record = pods.find(namespace, name);
      return record ? podToObject(pods, record, nodeName) : undefined;
    },
    async create(namespace, body, options) {
      const pod = toPod(namespace, body, options);
      if (pods.find(namespace, pod.metadata.name)) throw alreadyExists('pods', pod.metadata.name);
      if (options.dryRun) return { ...(pod as unknown as KubeObj) };
      await pods.apply([pod], { force: false });
      return current(namespace, pod.metadata.name);
    },
    async update(namespace, name, body, options) {
      if (!pods.find(namespace, name)) throw notFound('pods', name);
      const pod = toPod(namespace, body, options);
      if (options.dryRun) return { ...(pod as unknown as KubeObj) };
      try {
        await pods.apply([pod], { force: false });
      } catch (err) {
        // The manager words a refused update as the API server does: `The Pod "x" is invalid: spec: Forbidden: ...`.
        const message = errorMessage(err);
        const at = message.indexOf(' is invalid: ');
        if (errorCode(err) === 'InvalidArgument' && at >= 0) {
          const detail = message.slice(at + ' is invalid: '.length);
          const colon = detail.indexOf(': ');
          throw invalid('Pod', name, [{ path: colon > 0 ? detail.slice(0, colon) : '', message: colon > 0 ? detail.slice(colon + 2) : detail }]);
        }
        throw err;
      }
      return current(namespace, name);
    },
    async delete(namespace, name, options: DeleteOptions) {
      const record = pods.find(namespace, name);
      if (!record) throw notFound('pods', name);
      if (options.dryRun) return podToObject(pods, record, nodeName);
      const grace = options.gracePeriodSeconds;
      if (grace !== undefined && (!Number.isInteger(grace) || grace < 0))
        throw new PeapodError('InvalidArgument', `gracePeriodSeconds: ${grace} must be a non-negative integer`);
      await pods.delete(namespace, name, { ...(grace !== undefined ? { graceSeconds: grace } : {}), wait: false });
      const after = pods.find(namespace, name);
      return after ? podToObject(pods, after, nodeName) : undefined;
    },
    onChange: (listener) => pods.onChange(() => listener()),
  };
}
