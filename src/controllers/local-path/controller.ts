// The local-path provisioner as a controller over PersistentVolumeClaims: each sync plans over every
// claim and volume (one host: a handful of each) and acts, so a claim deleted, a volume changed or a pod
// gone all lead to the same level-triggered pass. Order makes it crash-safe: the directory before the
// PV, the PV before the claim's binding; on reclaim the directory before the PV.
import { PeapodError, errorMessage } from '../../common/errors.js';
import { faultPoint } from '../../common/fault.js';
import type { LocalPathHost } from '../../host/local-path.js';
import type { PersistentVolume, PersistentVolumeClaim } from '../../kube/stateful-types.js';
import type { Controller, ControllerContext, WatchedChange } from '../controller.js';
import type { ControlledPod } from '../pods.js';
import type { ObjectKey } from '../store/object-store.js';
import { PVC_PROTECTION, PV_PROTECTION, boundClaim, planProvisioner, type ProvisionerAction } from './plan.js';

const CLAIM = 'PersistentVolumeClaim';
const VOLUME = 'PersistentVolume';

export function localPathController(ctx: ControllerContext, host: LocalPathHost): Controller {
  return {
    name: 'local-path-provisioner',
    kind: CLAIM,
    watches: [
      { kind: VOLUME, map: (change) => claimOfVolume(change) },
      // A pod that stops or goes may release a claim being deleted.
      { kind: 'Pod', map: (change) => claimsOfPod(change) },
    ],
    sync: () => syncProvisioner(ctx, host),
  };
}

function claimOfVolume(change: WatchedChange): ObjectKey[] {
  const ref = (change.object as PersistentVolume).spec?.claimRef;
  return ref ? [{ kind: CLAIM, namespace: ref.namespace, name: ref.name }] : [];
}

function claimsOfPod(change: WatchedChange): ObjectKey[] {
  const pod = (change.object as ControlledPod).pod;
  const namespace = pod.metadata.namespace ?? 'default';
  return (pod.spec.volumes ?? []).flatMap((v) => (v.persistentVolumeClaim ? [{ kind: CLAIM, namespace, name: v.persistentVolumeClaim.claimName }] : []));
}

/** A pod not yet finished that names the claim (pvc-protection's "in use"); a terminating pod still uses it. */
export function claimInUse(ctx: ControllerContext, namespace: string, name: string): boolean {
  return ctx.pods
    .list(namespace)
    .some((p) => p.phase !== 'Succeeded' && p.phase !== 'Failed' && (p.pod.spec.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === name));
}

async function syncProvisioner(ctx: ControllerContext, host: LocalPathHost): Promise<void> {
  const actions = planProvisioner({
    claims: ctx.store.list<PersistentVolumeClaim>(CLAIM),
    volumes: ctx.store.list<PersistentVolume>(VOLUME),
    claimInUse: (namespace, name) => claimInUse(ctx, namespace, name),
    now: ctx.clock.now(),
  });
  let failure: Error | undefined;
  for (const action of actions) {
    try {
      await act(ctx, host, action);
    } catch (err) {
      // One claim's trouble must not hold up the others; the sync fails at the end and is retried.
      ctx.log(`local-path: ${action.kind}: ${errorMessage(err)}`);
      failure ??= err instanceof Error ? err : new Error(errorMessage(err));
    }
  }
  if (failure !== undefined) throw failure;
}

const claimKey = (claim: PersistentVolumeClaim): ObjectKey => ({ kind: CLAIM, namespace: claim.metadata.namespace ?? 'default', name: claim.metadata.name });
const volumeKey = (volume: PersistentVolume): ObjectKey => ({ kind: VOLUME, namespace: '', name: volume.metadata.name });

async function act(ctx: ControllerContext, host: LocalPathHost, action: ProvisionerAction): Promise<void> {
  switch (action.kind) {
    case 'provision': {
      const path = await host.create(action.volume.metadata.name);
      faultPoint('local-path.directory-created');
      const volume = { ...action.volume, spec: { ...action.volume.spec, hostPath: { path, type: 'DirectoryOrCreate' } } };
      await ctx.store.create(volume).catch((err: unknown) => {
        if (!(err instanceof PeapodError && err.code === 'AlreadyExists')) throw err;
      });
      ctx.event(action.claim, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${volume.metadata.name}`);
      await bind(ctx, action.claim, ctx.store.get<PersistentVolume>(volumeKey(volume)) ?? volume);
      return;
    }
    case 'bind':
      await bind(ctx, action.claim, action.volume);
      return;
    case 'pending':
      if (action.claim.status?.phase !== 'Pending') await ctx.store.updateStatus<PersistentVolumeClaim>(claimKey(action.claim), { phase: 'Pending' });
      ctx.event(action.claim, 'Warning', action.reason, action.message);
      return;
    case 'lost':
      await ctx.store.updateStatus<PersistentVolumeClaim>(claimKey(action.claim), { ...action.claim.status, phase: 'Lost' });
      ctx.event(action.claim, 'Warning', 'ClaimLost', action.message);
      return;
    case 'release':
      await ctx.store.updateStatus<PersistentVolume>(volumeKey(action.volume), { phase: 'Released' });
      return;
    case 'reclaim':
      await host.remove(action.directory);
      faultPoint('local-path.directory-removed');
      await ctx.store.delete(volumeKey(action.volume));
      await ctx.store.removeFinalizer(volumeKey(action.volume), PV_PROTECTION);
      ctx.log(`local-path: deleted volume ${action.volume.metadata.name} and its directory (reclaim policy Delete)`);
      return;
    case 'unprotectClaim':
      await ctx.store.removeFinalizer(claimKey(action.claim), PVC_PROTECTION);
      return;
    case 'unprotectVolume':
      await ctx.store.removeFinalizer(volumeKey(action.volume), PV_PROTECTION);
      return;
  }
}

/** The claim's spec and metadata (volumeName, class, finalizer), then its status; the PV marked Bound. */
async function bind(ctx: ControllerContext, claim: PersistentVolumeClaim, volume: PersistentVolume): Promise<void> {
  const bound = boundClaim(claim, volume);
  const key = claimKey(claim);
  await ctx.store.update<PersistentVolumeClaim>(key, (current) => ({ ...current, metadata: bound.metadata, spec: bound.spec }), {
    uid: claim.metadata.uid ?? '',
  });
  if (bound.status) await ctx.store.updateStatus<PersistentVolumeClaim>(key, bound.status);
  if (volume.status?.phase !== 'Bound') await ctx.store.updateStatus<PersistentVolume>(volumeKey(volume), { phase: 'Bound' });
}
