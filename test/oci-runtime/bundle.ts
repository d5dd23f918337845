// A tiny OCI bundle written by hand for the runtime tests: a rootfs holding the host's static busybox
// and a minimal config.json (own pid/mnt/ipc/uts namespaces, host network, a test-unique cgroup).
// Deliberately independent of src/oci/, so these tests pin runc+conmon behaviour on their own.
import { copyFile, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const BUSYBOX = '/bin/busybox';
const APPLETS = ['sh', 'sleep', 'echo', 'cat', 'head', 'tr', 'true', 'pwd', 'ls', 'printf'];

/** Capabilities runc's own `runc spec` template grants. */
const DEFAULT_CAPS = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];

export interface BundleOptions {
  readonly args: readonly string[];
  readonly cgroupsPath: string;
  readonly env?: readonly string[];
  /** Leave out the pid namespace (share the host's) to exercise `kill --all`. */
  readonly hostPid?: boolean;
}

/** Writes <dir>/rootfs and <dir>/config.json; returns dir. */
export async function makeBundle(dir: string, options: BundleOptions): Promise<string> {
  const rootfs = join(dir, 'rootfs');
  await Promise.all(['bin', 'proc', 'dev', 'tmp'].map((d) => mkdir(join(rootfs, d), { recursive: true })));
  await copyFile(BUSYBOX, join(rootfs, 'bin', 'busybox'));
  await Promise.all(APPLETS.map((a) => symlink('busybox', join(rootfs, 'bin', a))));
  const namespaces = [{ type: 'mount' }, { type: 'ipc' }, { type: 'uts' }, ...(options.hostPid === true ? [] : [{ type: 'pid' }])];
  const config = {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: options.args,
      env: ['PATH=/bin', ...(options.env ?? [])],
      cwd: '/',
      capabilities: { bounding: DEFAULT_CAPS, effective: DEFAULT_CAPS, permitted: DEFAULT_CAPS },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: 'rootfs', readonly: true },
    hostname: 'peapod-test',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'size=1m'] },
    ],
    linux: {
      cgroupsPath: options.cgroupsPath,
      namespaces,
      maskedPaths: ['/proc/kcore', '/proc/keys', '/sys/firmware'],
      readonlyPaths: ['/proc/sys', '/proc/sysrq-trigger'],
    },
  };
  await writeFile(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  return dir;
}
