// What the kubelet asks of a pod's persistentVolumeClaim volume: the bound volume's directory, or why
// the pod has to wait. The directory comes from the PV's name through the provisioner's host (never from
// the PV's hostPath, which a user could have written).
import type { LocalPathHost } from '../../host/local-path.js';
import type { PersistentVolume, PersistentVolumeClaim } from '../../kube/stateful-types.js';
import type { ClaimVolume } from '../../kubelet/volumes/setup.js';
import type { ApiObjectStore } from '../store/object-store.js';
import { directoryOf } from './plan.js';

export function claimVolumeResolver(store: ApiObjectStore, host: LocalPathHost): (namespace: string, claimName: string) => ClaimVolume {
  return (namespace, claimName) => {
    const claim = store.get<PersistentVolumeClaim>({ kind: 'PersistentVolumeClaim', namespace, name: claimName });
    if (!claim) return { waiting: 'not found' };
    if (claim.metadata.deletionTimestamp !== undefined) return { waiting: 'is being deleted' };
    const volumeName = claim.spec.volumeName;
    if (claim.status?.phase !== 'Bound' || !volumeName)
      return { waiting: `not bound yet (${claim.status?.phase ?? 'Pending'}): waiting for the local-path provisioner` };
    const volume = store.get<PersistentVolume>({ kind: 'PersistentVolume', namespace: '', name: volumeName });
    const directory = volume ? directoryOf(volume) : undefined;
    if (!volume) return { waiting: `its volume ${volumeName} is gone` };
    if (directory === undefined)
      return { waiting: `volume ${volumeName} was not made by the local-path provisioner (the only kind of volume this host mounts)` };
    return { path: host.pathOf(directory) };
  };
}
