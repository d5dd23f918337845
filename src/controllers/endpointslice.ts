// The EndpointSlice controller (pkg/controller/endpointslice): keyed by Service, woken by the Service, its
// slices and every pod change in the namespace whose labels match a Service's selector before or after
// the change. A sync compares the slices the Service should have (services/endpoint-slices.ts) with the
// managed ones stored and creates, rewrites or deletes the difference; a Service gone or being deleted
// loses its managed slices (the garbage collector would too, through their ownerReference).
import { createHash } from 'node:crypto';
import { ENDPOINTSLICE_CONTROLLER, MANAGED_BY_LABEL, SERVICE_NAME_LABEL, type EndpointSlice, type Service } from '../kube/service-types.js';
import type { ObjectMeta } from '../kube/types.js';
import { desiredEndpointSlices, selectorMatches } from '../services/endpoint-slices.js';
import type { Controller, ControllerContext, WatchedChange } from './controller.js';
import type { ObjectKey } from './store/object-store.js';
import { compareStrings } from '../common/compare.js';

const sameContent = (a: EndpointSlice, b: EndpointSlice): boolean =>
  JSON.stringify([a.endpoints, a.ports, a.addressType, a.metadata.labels, a.metadata.ownerReferences]) ===
  JSON.stringify([b.endpoints, b.ports, b.addressType, b.metadata.labels, b.metadata.ownerReferences]);

export class EndpointSliceController implements Controller {
  readonly name = 'endpointslice';
  readonly kind = 'Service';
  readonly owns = ['EndpointSlice'];
  readonly watches = [{ kind: 'Pod', map: (change: WatchedChange): ObjectKey[] => this.servicesOf(change) }];

  constructor(private readonly ctx: ControllerContext) {}

  /** The Services whose selector matches the pod's labels now or before the change. */
  private servicesOf(change: WatchedChange): ObjectKey[] {
    const namespace = change.metadata.namespace ?? 'default';
    const metas: (ObjectMeta | undefined)[] = [change.metadata, change.previous];
    return this.ctx.store
      .list<Service>('Service', namespace)
      .filter((s) => s.spec.selector !== undefined && metas.some((m) => m !== undefined && selectorMatches(s.spec.selector ?? {}, m.labels)))
      .map((s) => ({ kind: 'Service', namespace, name: s.metadata.name }));
  }

  async sync(key: ObjectKey): Promise<void> {
    const service = this.ctx.store.get<Service>(key);
    const managed = this.ctx.store
      .list<EndpointSlice>('EndpointSlice', key.namespace)
      .filter((s) => s.metadata.labels?.[SERVICE_NAME_LABEL] === key.name && s.metadata.labels[MANAGED_BY_LABEL] === ENDPOINTSLICE_CONTROLLER);
    const pods = this.ctx.pods.list(key.namespace).map((p) => ({ pod: p.pod, terminating: p.terminating }));
    const wanted = service && service.metadata.deletionTimestamp === undefined ? desiredEndpointSlices(service, pods) : [];
    // Existing slices are rewritten in place, in name order (upstream updates its slices rather than
    // replacing them): the Service's slice keeps its name while its endpoints and ports change, and no
    // reader ever sees an old and a new slice side by side. Only a group with no slice to reuse gets a new one.
    const reusable = [...managed].sort((a, b) => compareStrings(a.metadata.name, b.metadata.name));
    const taken = new Set(reusable.slice(0, wanted.length).map((m) => m.metadata.name));
    const desired = wanted.map((slice, i) => {
      let name = reusable[i]?.metadata.name;
      if (name === undefined) {
        name = slice.metadata.name;
        // A new slice's name must not be one a reused slice keeps.
        for (let n = 1; taken.has(name); n++)
          name = `${slice.metadata.name.slice(0, 57)}-${createHash('sha256').update(`${slice.metadata.name}/${n}`).digest('hex').slice(0, 5)}`;
        taken.add(name);
      }
      return { ...slice, metadata: { ...slice.metadata, name } };
    });
    for (const slice of desired) {
      const current = managed.find((m) => m.metadata.name === slice.metadata.name);
      const sliceKey: ObjectKey = { kind: 'EndpointSlice', namespace: key.namespace, name: slice.metadata.name };
      if (!current) await this.ctx.store.create(slice);
      else if (!sameContent(current, slice))
        await this.ctx.store.update<EndpointSlice>(sliceKey, (c) => ({
          ...c,
          metadata: { ...c.metadata, labels: slice.metadata.labels ?? {}, ownerReferences: slice.metadata.ownerReferences ?? [] },
          endpoints: slice.endpoints,
          ports: slice.ports,
          addressType: slice.addressType,
        }));
    }
    for (const stale of managed.filter((m) => !desired.some((d) => d.metadata.name === m.metadata.name)))
      await this.ctx.store.delete({ kind: 'EndpointSlice', namespace: key.namespace, name: stale.metadata.name });
  }
}
