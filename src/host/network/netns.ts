// Pinned network namespaces: an empty file under <runRoot>/netns pinning the pod's netns (host/ns-pin.ts),
// so CNI DEL can still run after the pause process died.
// `ip netns` also makes /run/netns a private bind mount of itself; util-linux unshare already refuses
// a shared parent mount with a clear message, and a pin copied into a container's mount namespace is
// detached by runc's pivot_root, so peapod leaves the directory as is (nothing extra to undo).
import { join } from 'node:path';
import { isNamespacePin, pinNamespaces, unpinNamespaces } from '../ns-pin.js';

export async function createPinnedNetns(dir: string, id: string): Promise<string> {
  const path = join(dir, id);
  if (!(await isNamespacePin(path))) await pinNamespaces([{ kind: 'net', path }]);
  return path;
}

export async function removePinnedNetns(dir: string, id: string): Promise<void> {
  await unpinNamespaces([join(dir, id)]);
}
