// A private containerd (Debian's) for bench/cri: its own root, state, socket, CNI config (bridge on its
// own name and subnet, no masquerade) and cgroup parent, the CRI plugin with runc v2 and cgroupfs, and a
// pause image built offline from this host's catatonit, imported with the offline busybox image. Stop()
// removes everything it made; the bench calls it even when a run fails.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, runUnchecked } from '../../src/host/exec.js';
import { createCgroupManager } from '../../src/host/cgroups/index.js';
import { listMounts, unmount } from '../../src/host/mount.js';
import { hostPlatform } from '../../src/image/platform.js';
import { buildImage, buildLayer, tarOf, type Blob } from '../../test/image/helpers/build.js';
import { criClient, type CriClient } from '../../test/cri/client.js';
import { waitFor } from '../../test/helpers/wait.js';

const PAUSE_IMAGE = 'peapod.bench/pause:catatonit';
const START_TIMEOUT_MS = 30_000;
const NAMESPACE = 'k8s.io';

export interface Containerd {
  readonly client: CriClient;
  /** cgroup_parent for the bench's sandboxes: under a tree this harness removes. */
  readonly cgroupParent: (uid: string) => string;
  readonly dir: string;
  stop(): Promise<void>;
}

async function ociArchive(name: string, manifest: Blob, blobs: readonly Blob[]): Promise<Buffer> {
  const index = {
    schemaVersion: 2,
    manifests: [
      {
        mediaType: manifest.mediaType,
        digest: manifest.digest,
        size: manifest.bytes.length,
        annotations: { 'io.containerd.image.name': name, 'org.opencontainers.image.ref.name': name.split(':').pop() ?? 'latest' },
      },
    ],
  };
  const blobFiles = [manifest, ...blobs].map((b) => ({ path: `blobs/sha256/${b.digest.slice('sha256:'.length)}`, content: b.bytes }));
  return tarOf([
    { path: 'oci-layout', content: JSON.stringify({ imageLayoutVersion: '1.0.0' }) },
    { path: 'index.json', content: JSON.stringify(index) },
    { path: 'blobs', dir: true },
    { path: 'blobs/sha256', dir: true },
    ...blobFiles,
  ]);
}

async function pauseArchive(): Promise<Buffer> {
  const catatonit = await readFile((await run('sh', ['-c', 'command -v catatonit'])).stdout.trim());
  const layer = await buildLayer([{ path: 'pause', content: catatonit, mode: 0o755 }]);
  const image = buildImage([layer], { architecture: hostPlatform().architecture, cmd: ['/pause', '-P'] });
  return ociArchive(PAUSE_IMAGE, image.manifest, image.blobs);
}

export async function startContainerd(busyboxTar: string): Promise<Containerd> {
  const dir = await mkdtemp(join(tmpdir(), 'peapod-bench-containerd-'));
  const tag = randomBytes(3).toString('hex');
  const bridge = `ctrb${tag}`;
  const cgroupRoot = `/peapod-bench-containerd-${tag}`;
  const socket = join(dir, 'containerd.sock');
  const subnet = `10.197.${Number.parseInt(tag.slice(0, 2), 16)}.0/24`;
  await mkdir(join(dir, 'cni'), { recursive: true });
  await writeFile(
    join(dir, 'cni', '10-bench.conflist'),
    JSON.stringify({
      cniVersion: '1.0.0',
      name: `bench-${tag}`,
      plugins: [{ type: 'bridge', bridge, isGateway: true, ipMasq: false, ipam: { type: 'host-local', ranges: [[{ subnet }]], dataDir: join(dir, 'ipam') } }],
    }),
  );
  const config = `version = 2
root = "${dir}/root"
state = "${dir}/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "${socket}"
[ttrpc]
  address = "${socket}.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "${dir}/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${PAUSE_IMAGE}"
  disable_apparmor = true
  # This host cannot lower oom_score_adj below the daemon's own (containerd would set -998 for the pause).
  restrict_oom_score_adj = true
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${dir}/cni"
`;
  await writeFile(join(dir, 'config.toml'), config);
  const child: ChildProcess = spawn('containerd', ['--config', join(dir, 'config.toml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-20_000)));
  const stop = async (): Promise<void> => {
    client?.close();
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
    // Shims outlive containerd by design; the bench removed its pods, so any left are strays of this run.
    await runUnchecked('pkill', ['-f', `containerd-shim-runc-v2 -namespace ${NAMESPACE} -address ${socket}`], { timeoutMs: 5000 });
    for (const m of (await listMounts(dir)).reverse()) await unmount(m.target, { lazy: true }).catch(() => undefined);
    await runUnchecked('ip', ['link', 'del', bridge], { timeoutMs: 5000 });
    await (await createCgroupManager()).remove(cgroupRoot).catch(() => undefined);
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  };
  let client: CriClient | undefined;
  try {
    client = criClient(socket);
    const c = client;
    await waitFor(
      () =>
        c.runtime('Version', {}, 1000).then(
          () => true,
          () => false,
        ),
      { timeoutMs: START_TIMEOUT_MS, description: `containerd on ${socket}` },
    );
    const pause = join(dir, 'pause.tar');
    await writeFile(pause, await pauseArchive());
    const ctr = ['--address', socket, '-n', NAMESPACE];
    await run('ctr', [...ctr, 'images', 'import', pause], { timeoutMs: 60_000 });
    await run('ctr', [...ctr, 'images', 'import', '--base-name', 'docker.io/library/busybox', busyboxTar], { timeoutMs: 60_000 });
  } catch (err) {
    await stop();
    throw new Error(`containerd did not come up: ${err instanceof Error ? err.message : String(err)}\n${log}`);
  }
  return { client, dir, cgroupParent: (uid) => `${cgroupRoot}/pod${uid}`, stop };
}
