// meta.k8s.io/v1 Table responses: the columns the API server's printers give each kind
// (pkg/printers/internalversion/printers.go), so `kubectl get` prints what it prints against a cluster.
import { kindForResource, type ApiObject } from '../kube/kinds/index.js';

export interface Column {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'date';
  readonly format?: string;
  readonly description: string;
  readonly priority: number;
}

export type Cell = string | number;
export type KubeObj = { readonly apiVersion?: string; readonly kind?: string; readonly metadata: Record<string, unknown> } & Record<string, unknown>;

export interface TableKind {
  readonly columns: readonly Column[];
  cells(object: KubeObj, now: Date): Cell[];
}

const col = (name: string, description: string, priority = 0, type: Column['type'] = 'string', format?: string): Column => ({
  name,
  type,
  ...(format ? { format } : {}),
  description,
  priority,
});
const NAME = col(
  'Name',
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  0,
  'string',
  'name',
);
const AGE = col('Age', 'CreationTimestamp is a timestamp representing the server time when this object was created.');

/** A scalar field as text (objects and absent values give the fallback). */
export function text(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : fallback;
}

/** Go's duration.HumanDuration, which every AGE column goes through. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 192) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${Math.floor(days / 365)}y` : `${Math.floor(days / 365)}y${days % 365}d`;
  return `${Math.floor(days / 365)}y`;
}

export function since(timestamp: unknown, now: Date): string {
  if (typeof timestamp !== 'string' || timestamp === '') return '<unknown>';
  return humanDuration(now.getTime() - Date.parse(timestamp));
}

const rec = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {});
const arr = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? (v as Record<string, unknown>[]) : []);
const name = (o: KubeObj): string => text(o.metadata['name'], '');
const age = (o: KubeObj, now: Date): string => since(o.metadata['creationTimestamp'], now);

/**
 * The kubelet's aggregate STATUS of a pod object (kubelet/status.ts displayStatus), set where the object is
 * built: a symbol key survives spreads and stays out of the JSON.
 */
export const DISPLAY_STATUS = Symbol('displayStatus');

/** printPod: READY is ready/total regular containers, RESTARTS adds "(<age> ago)" of the last restart. */
const POD: TableKind = {
  columns: [
    NAME,
    col('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    AGE,
    col('IP', 'The IP address assigned to this pod', 1),
    col('Node', 'The node this pod is scheduled on', 1),
    col('Nominated Node', 'The node this pod is nominated to run on, if any', 1),
    col('Readiness Gates', 'The readiness gates the pod is waiting for', 1),
  ],
  cells(o, now) {
    const status = rec(o['status']);
    const spec = rec(o['spec']);
    const statuses = arr(status['containerStatuses']);
    const total = arr(spec['containers']).length;
    const ready = statuses.filter((s) => s['ready'] === true).length;
    let restarts = 0;
    let last = 0;
    for (const s of statuses) {
      restarts += Number(s['restartCount'] ?? 0);
      const finished = rec(rec(s['lastState'])['terminated'])['finishedAt'];
      if (typeof finished === 'string') last = Math.max(last, Date.parse(finished));
    }
    const ips = arr(status['podIPs']);
    const ip = typeof ips[0]?.['ip'] === 'string' ? String(ips[0]['ip']) : typeof status['podIP'] === 'string' ? String(status['podIP']) : '<none>';
    const display = typeof o.metadata['deletionTimestamp'] === 'string' ? 'Terminating' : text(status['reason'] ?? status['phase'], '');
    return [
      name(o),
      `${ready}/${total}`,
      (o as { [DISPLAY_STATUS]?: string })[DISPLAY_STATUS] ?? display,
      last > 0 ? `${restarts} (${humanDuration(now.getTime() - last)} ago)` : String(restarts),
      age(o, now),
      ip,
      text(spec['nodeName'], '<none>'),
      '<none>',
      '<none>',
    ];
  },
};

const NODE: TableKind = {
  columns: [
    NAME,
    col('Status', 'The status of the node'),
    col('Roles', 'The roles of the node'),
    AGE,
    col('Version', 'Kubelet Version reported by the node.'),
    col('Internal-IP', 'List of internal IPs for the node.', 1),
    col('External-IP', 'List of external IPs for this node.', 1),
    col('OS-Image', 'OS image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', 1),
    col('Kernel-Version', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
    col('Container-Runtime', 'Container Runtime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', 1),
  ],
  cells(o, now) {
    const status = rec(o['status']);
    const info = rec(status['nodeInfo']);
    const ready = arr(status['conditions']).find((c) => c['type'] === 'Ready');
    const addr = (type: string): string => text(arr(status['addresses']).find((a) => a['type'] === type)?.['address'], '<none>');
    return [
      name(o),
      ready?.['status'] === 'True' ? 'Ready' : 'NotReady',
      '<none>',
      age(o, now),
      text(info['kubeletVersion'], ''),
      addr('InternalIP'),
      addr('ExternalIP'),
      text(info['osImage'], ''),
      text(info['kernelVersion'], ''),
      text(info['containerRuntimeVersion'], ''),
    ];
  },
};

const NAMESPACE: TableKind = {
  columns: [NAME, col('Status', 'The status of the namespace'), AGE],
  cells: (o, now) => [name(o), text(rec(o['status'])['phase'], 'Active'), age(o, now)],
};

const CONFIGMAP: TableKind = {
  columns: [NAME, col('Data', 'Number of data in configmap', 0, 'integer'), AGE],
  cells: (o, now) => [name(o), Object.keys(rec(o['data'])).length + Object.keys(rec(o['binaryData'])).length, age(o, now)],
};

const SECRET: TableKind = {
  columns: [NAME, col('Type', 'The type of the secret'), col('Data', 'The number of entries in the secret', 0, 'integer'), AGE],
  cells: (o, now) => [name(o), text(o['type'], 'Opaque'), Object.keys(rec(o['data'])).length, age(o, now)],
};

const EVENT: TableKind = {
  columns: [
    col('Last Seen', 'Time when last event occurred'),
    col('Type', 'Type of this event (Normal, Warning), new types could be added in the future.'),
    col('Reason', 'Reason is why the action was taken. It is human-readable.'),
    col('Object', 'Object is the object this event is about.'),
    col('Subobject', 'Subobject is a specific field of the object this event is about.', 1),
    col('Source', 'Source of the event', 1),
    col('Message', 'A human-readable description of the status of this operation.'),
    col('First Seen', 'Time when first event occurred', 1),
    col('Count', 'Number of times this event has occurred', 1),
    col('Name', 'Name of the event', 1),
  ],
  cells(o, now) {
    const involved = rec(o['involvedObject']);
    const source = rec(o['source']);
    return [
      since(o['lastTimestamp'], now),
      text(o['type'], ''),
      text(o['reason'], ''),
      `${text(involved['kind'], '').toLowerCase()}/${text(involved['name'], '')}`,
      text(involved['fieldPath'], ''),
      [source['component'], source['host']].filter((s) => typeof s === 'string' && s !== '').join(', '),
      text(o['message'], '').trim(),
      since(o['firstTimestamp'], now),
      Number(o['count'] ?? 1),
      name(o),
    ];
  },
};

export const TABLES: Readonly<Record<string, TableKind>> = {
  pods: POD,
  nodes: NODE,
  namespaces: NAMESPACE,
  configmaps: CONFIGMAP,
  secrets: SECRET,
  events: EVENT,
};

/** The Table for these objects; rows carry PartialObjectMetadata, the API server's default includeObject. */
export function toTable(resource: string, objects: readonly KubeObj[], resourceVersion: string, now: Date): Record<string, unknown> {
  const kind = TABLES[resource] ?? kindTable(resource);
  if (!kind) throw new Error(`no table for ${resource}`);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: kind.columns,
    rows: objects.map((o) => ({
      cells: kind.cells(o, now),
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}

/** The Table of a kind of kube/kinds/: Name, its columns, Age, then its wide columns (priority 1), as peapod get prints them. */
function kindTable(resource: string): TableKind | undefined {
  const info = kindForResource(resource);
  if (!info) return undefined;
  const wide = info.wideColumns ?? [];
  const header = (h: string): string => h.toLowerCase().replace(/(^|[\s-])([a-z])/g, (_m, sep: string, c: string) => `${sep}${c.toUpperCase()}`);
  return {
    columns: [NAME, ...info.columns.map((c) => col(header(c.header), c.header)), AGE, ...wide.map((c) => col(header(c.header), c.header, 1))],
    cells: (o, now) => {
      const object = o as unknown as ApiObject;
      const at = now.getTime();
      return [
        text(o.metadata['name']),
        ...info.columns.map((c) => c.value(object, at)),
        since(o.metadata['creationTimestamp'], now),
        ...wide.map((c) => c.value(object, at)),
      ];
    },
  };
}
