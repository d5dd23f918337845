// The two ways peapod mounts, unmounts and pins namespaces (host/mount.ts): through mount(8), umount(8)
// and unshare(1) (the CLI, the tests' helpers), and as the syscalls made by a resident spawner (the
// daemon). A test of those helpers runs its body under each.
import { after } from 'node:test';
import { withSpawner } from '../../src/host/exec.js';
import { Spawner } from '../../src/host/spawner.js';

export interface MountWay {
  readonly label: string;
  run<T>(fn: () => Promise<T>): Promise<T>;
}

/** Both ways; the spawner is closed after the file's tests. */
export function mountWays(): readonly MountWay[] {
  const spawner = new Spawner();
  after(() => spawner.close());
  return [
    { label: 'mount(8)', run: (fn) => fn() },
    { label: 'spawner syscalls', run: (fn) => withSpawner(spawner, fn) },
  ];
}
