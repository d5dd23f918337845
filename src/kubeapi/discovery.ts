// /version, /api, /api/v1 and /apis: legacy discovery, and the aggregated form (apidiscovery.k8s.io/v2)
// that kubectl 1.30+ asks for first (Accept: ...;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList).
import { arch } from 'node:os';
import { PEAPOD_VERSION } from '../common/version.js';
import type { ResourceStore } from './resource.js';

/** The Kubernetes API version whose behaviour this front follows (the kubectl the tests drive). */
export const KUBE_MINOR = '32';
export const KUBE_GIT_VERSION = `v1.${KUBE_MINOR}.0-peapod.${PEAPOD_VERSION}`;
export const AGGREGATED_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/** Subresources served on pods, with the kind each answers with. */
const POD_SUBRESOURCES: readonly { name: string; kind: string; verbs: string[] }[] = [
  { name: 'log', kind: 'Pod', verbs: ['get'] },
  { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
  { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
  { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
  { name: 'ephemeralcontainers', kind: 'Pod', verbs: ['get', 'patch', 'update'] },
  { name: 'status', kind: 'Pod', verbs: ['get'] },
];

export function versionInfo(): Record<string, string> {
  const goArch = arch() === 'x64' ? 'amd64' : arch();
  return {
    major: '1',
    minor: KUBE_MINOR,
    gitVersion: KUBE_GIT_VERSION,
    gitCommit: '',
    gitTreeState: 'clean',
    buildDate: '1970-01-01T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'node',
    platform: `linux/${goArch}`,
  };
}

export function apiVersions(address: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: address }] };
}

const singular = (store: ResourceStore): string => store.kind.toLowerCase();
/** Pods are in the `all` category, as on a cluster: `kubectl get all` lists them. */
const categories = (store: ResourceStore): { categories?: string[] } => (store.resource === 'pods' ? { categories: ['all'] } : {});

export function apiResourceList(stores: readonly ResourceStore[]): Record<string, unknown> {
  const resources: Record<string, unknown>[] = [];
  for (const s of stores) {
    resources.push({
      name: s.resource,
      singularName: singular(s),
      namespaced: s.namespaced,
      kind: s.kind,
      verbs: s.verbs,
      ...(s.shortNames.length ? { shortNames: s.shortNames } : {}),
      ...categories(s),
    });
    if (s.resource === 'pods') {
      for (const sub of POD_SUBRESOURCES) resources.push({ name: `pods/${sub.name}`, singularName: '', namespaced: true, kind: sub.kind, verbs: sub.verbs });
    }
  }
  return { kind: 'APIResourceList', groupVersion: 'v1', resources };
}

export function aggregatedCore(stores: readonly ResourceStore[]): Record<string, unknown> {
  const resources = stores.map((s) => ({
    resource: s.resource,
    responseKind: { group: '', version: 'v1', kind: s.kind },
    scope: s.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: singular(s),
    verbs: s.verbs,
    ...(s.shortNames.length ? { shortNames: s.shortNames } : {}),
    ...categories(s),
    ...(s.resource === 'pods'
      ? {
          subresources: POD_SUBRESOURCES.map((sub) => ({
            subresource: sub.name,
            responseKind: { group: '', version: 'v1', kind: sub.kind },
            verbs: sub.verbs,
          })),
        }
      : {}),
  }));
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: [{ metadata: { creationTimestamp: null }, versions: [{ version: 'v1', resources, freshness: 'Current' }] }],
  };
}

/** The named groups the stores serve (apps, batch, discovery.k8s.io), each with its one version. */
function groupVersions(stores: readonly ResourceStore[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of stores) if (s.groupVersion) out.set(s.groupVersion.split('/')[0] ?? '', s.groupVersion.split('/')[1] ?? '');
  return out;
}

export function aggregatedGroups(stores: readonly ResourceStore[]): Record<string, unknown> {
  const items = [...groupVersions(stores)].map(([group, version]) => ({
    metadata: { name: group, creationTimestamp: null },
    versions: [
      {
        version,
        resources: stores
          .filter((s) => s.groupVersion === `${group}/${version}`)
          .map((s) => ({
            resource: s.resource,
            responseKind: { group, version, kind: s.kind },
            scope: s.namespaced ? 'Namespaced' : 'Cluster',
            singularResource: singular(s),
            verbs: s.verbs,
            ...(s.shortNames.length ? { shortNames: s.shortNames } : {}),
          })),
        freshness: 'Current',
      },
    ],
  }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items };
}

export function apiGroupList(stores: readonly ResourceStore[]): Record<string, unknown> {
  const groups = [...groupVersions(stores)].map(([name, version]) => {
    const gv = { groupVersion: `${name}/${version}`, version };
    return { name, versions: [gv], preferredVersion: gv };
  });
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

/** /apis/{group}/{version}: the resources of that group version, or undefined when none is served. */
export function groupResourceList(stores: readonly ResourceStore[], groupVersion: string): Record<string, unknown> | undefined {
  const mine = stores.filter((s) => s.groupVersion === groupVersion);
  if (mine.length === 0) return undefined;
  const resources = mine.map((s) => ({
    name: s.resource,
    singularName: singular(s),
    namespaced: s.namespaced,
    kind: s.kind,
    verbs: s.verbs,
    ...(s.shortNames.length ? { shortNames: s.shortNames } : {}),
  }));
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources };
}

/** Whether the client accepts aggregated discovery v2 (the first media type it lists that we serve wins). */
export function wantsAggregated(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((t) => t.replace(/\s/g, '').includes('g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList'));
}
