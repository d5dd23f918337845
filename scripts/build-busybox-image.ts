// Builds the offline busybox image peapod's demo and tests run: an OCI image layout (oci-layout,
// index.json, blobs/sha256/…) made from this host's busybox-static, with no registry and no network.
//
//   node dist/scripts/build-busybox-image.js --out <dir> [--tar <file>] [--busybox /bin/busybox]
//
// Deterministic (fixed mtimes, sorted entries, fixed gzip level, fixed JSON key order), so the same
// busybox binary always gives the same manifest digest; idempotent and fast when <dir> already holds
// the image of the same binary (a stamp records the binary's digest). Prints the manifest digest.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import { run } from '../src/host/exec.js';
import { hostPlatform } from '../src/image/platform.js';

/** Bumped whenever the image's content changes for the same binary, so old stamps stop matching. */
const BUILDER_VERSION = 2;
/** Every tar entry and the config's "created": the epoch, as reproducible-builds' SOURCE_DATE_EPOCH=0 would. */
const FIXED_MTIME = new Date(0);
const FIXED_CREATED = FIXED_MTIME.toISOString().replace('.000Z', 'Z');
/** zlib's best compression: a fixed level is part of the layer's digest. */
const GZIP_LEVEL = 9;
const IMAGE_NAME = 'docker.io/library/busybox:latest';
const IMAGE_TAG = 'latest';
const STAMP_FILE = '.peapod-build-stamp';
/** The docker library busybox image's environment and command. */
const ENV_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const MT = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

interface Options {
  readonly out?: string;
  readonly tar?: string;
  readonly busybox: string;
}

interface Blob {
  readonly digest: string;
  readonly bytes: Buffer;
}

type Entry = {
  readonly name: string;
  readonly type: 'directory' | 'file' | 'link';
  readonly mode?: number;
  readonly content?: Buffer;
  readonly linkname?: string;
};

function parseArgs(argv: readonly string[]): Options {
  let out: string | undefined;
  let tarFile: string | undefined;
  let busybox = '/bin/busybox';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if ((arg === '--out' || arg === '--tar' || arg === '--busybox') && value !== undefined) {
      if (arg === '--out') out = value;
      else if (arg === '--tar') tarFile = value;
      else busybox = value;
      i++;
    } else throw new Error(`unknown or incomplete argument "${arg ?? ''}"; usage: --out <dir> [--tar <file>] [--busybox <path>]`);
  }
  if (out === undefined && tarFile === undefined) throw new Error('nothing to do: give --out <dir>, --tar <file>, or both');
  return { busybox, ...(out === undefined ? {} : { out }), ...(tarFile === undefined ? {} : { tar: tarFile }) };
}

function blobOf(bytes: Buffer): Blob {
  return { digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, bytes };
}

async function applets(busybox: string): Promise<string[]> {
  const { stdout } = await run(busybox, ['--list'], { timeoutMs: 10_000 });
  const names = stdout.split('\n').map((s) => s.trim());
  // Applet names become paths under bin/: only plain names, never the binary itself.
  return [...new Set(names.filter((n) => n !== '' && n !== 'busybox' && !n.includes('/') && n !== '.' && n !== '..'))].sort();
}

/** The root filesystem, in tar order: parents before children, bin/busybox before its hard links. */
function rootfsEntries(binary: Buffer, names: readonly string[]): Entry[] {
  const dir = (name: string, mode = 0o755): Entry => ({ name, type: 'directory', mode });
  const file = (name: string, text: string): Entry => ({ name, type: 'file', mode: 0o644, content: Buffer.from(text) });
  return [
    dir('bin'),
    { name: 'bin/busybox', type: 'file', mode: 0o755, content: binary },
    // Hard links carry the target's mode: some unpackers (containers/storage) chmod the shared inode to the link header's mode.
    ...names.map((n): Entry => ({ name: `bin/${n}`, type: 'link', mode: 0o755, linkname: 'bin/busybox' })),
    dir('dev'),
    dir('etc'),
    file('etc/group', 'root:x:0:\nnobody:x:65534:\n'),
    file('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n'),
    dir('proc', 0o555),
    dir('root', 0o700),
    dir('sys', 0o555),
    dir('tmp', 0o1777),
    dir('var'),
    dir('var/www'),
  ];
}

async function packTar(entries: readonly Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer);
  })();
  for (const e of entries) {
    const header = {
      name: e.name,
      type: e.type,
      mode: e.mode ?? 0o644,
      mtime: FIXED_MTIME,
      uid: 0,
      gid: 0,
      uname: 'root',
      gname: 'root',
      ...(e.linkname === undefined ? {} : { linkname: e.linkname }),
    };
    await new Promise<void>((resolve, reject) => {
      pack.entry(header, e.content ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
    });
  }
  pack.finalize();
  await collected;
  return Buffer.concat(chunks);
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

interface Image {
  readonly manifest: Blob;
  readonly blobs: readonly Blob[];
  readonly index: Buffer;
}

async function buildImage(binary: Buffer, busybox: string): Promise<Image> {
  const layerTar = await packTar(rootfsEntries(binary, await applets(busybox)));
  const diffId = blobOf(layerTar).digest;
  const layer = blobOf(gzipSync(layerTar, { level: GZIP_LEVEL }));
  const platform = hostPlatform();
  const config = blobOf(
    json({
      created: FIXED_CREATED,
      architecture: platform.architecture,
      ...(platform.variant === undefined ? {} : { variant: platform.variant }),
      os: 'linux',
      config: { Env: [ENV_PATH], Cmd: ['sh'] },
      rootfs: { type: 'layers', diff_ids: [diffId] },
      history: [{ created: FIXED_CREATED, created_by: `peapod build-busybox-image (busybox ${blobOf(binary).digest})` }],
    }),
  );
  const manifest = blobOf(
    json({
      schemaVersion: 2,
      mediaType: MT.manifest,
      config: { mediaType: MT.config, digest: config.digest, size: config.bytes.length },
      layers: [{ mediaType: MT.layerGzip, digest: layer.digest, size: layer.bytes.length }],
    }),
  );
  const index = json({
    schemaVersion: 2,
    mediaType: MT.index,
    manifests: [
      {
        mediaType: MT.manifest,
        digest: manifest.digest,
        size: manifest.bytes.length,
        platform: { architecture: platform.architecture, os: 'linux', ...(platform.variant === undefined ? {} : { variant: platform.variant }) },
        annotations: { 'io.containerd.image.name': IMAGE_NAME, 'org.opencontainers.image.ref.name': IMAGE_TAG },
      },
    ],
  });
  return { manifest, blobs: [layer, config, manifest], index };
}

/** The layout's files, relative path → bytes, in a fixed order. */
function layoutFiles(image: Image): Array<[string, Buffer]> {
  const files: Array<[string, Buffer]> = [
    ['oci-layout', json({ imageLayoutVersion: '1.0.0' })],
    ['index.json', image.index],
  ];
  for (const b of [...image.blobs].sort((x, y) => x.digest.localeCompare(y.digest))) files.push([`blobs/sha256/${b.digest.slice(7)}`, b.bytes]);
  return files;
}

async function writeLayoutDir(out: string, image: Image, stamp: string): Promise<void> {
  const tmp = `${out}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    for (const [path, bytes] of layoutFiles(image)) {
      await mkdir(dirname(join(tmp, path)), { recursive: true });
      await writeFile(join(tmp, path), bytes, { mode: 0o644 });
    }
    // The stamp is written last: a layout without it is rebuilt, never trusted.
    await writeFile(join(tmp, STAMP_FILE), stamp);
    await rm(out, { recursive: true, force: true });
    await rename(tmp, out);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function writeLayoutTar(file: string, image: Image): Promise<void> {
  const entries: Entry[] = [
    { name: 'blobs', type: 'directory' },
    { name: 'blobs/sha256', type: 'directory' },
    ...layoutFiles(image).map(([name, content]): Entry => ({ name, type: 'file', content })),
  ];
  const tmp = `${file}.tmp-${randomBytes(6).toString('hex')}`;
  await mkdir(dirname(file), { recursive: true });
  try {
    await writeFile(tmp, await packTar(entries));
    await rename(tmp, file);
  } finally {
    await rm(tmp, { force: true });
  }
}

/** The existing layout's manifest digest when its stamp says it was built from this very binary. */
async function upToDate(out: string, stamp: string): Promise<string | undefined> {
  try {
    if ((await readFile(join(out, STAMP_FILE), 'utf8')) !== stamp) return undefined;
    const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as { manifests?: Array<{ digest?: string }> };
    const digest = index.manifests?.[0]?.digest;
    if (typeof digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(digest)) return undefined;
    await readFile(join(out, 'blobs/sha256', digest.slice(7)));
    return digest;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const binary = await readFile(options.busybox);
  const stamp = `${BUILDER_VERSION} ${blobOf(binary).digest} ${hostPlatform().architecture}\n`;
  if (options.out !== undefined && options.tar === undefined) {
    const existing = await upToDate(options.out, stamp);
    if (existing !== undefined) {
      process.stdout.write(`${existing}\n`);
      return;
    }
  }
  const image = await buildImage(binary, options.busybox);
  if (options.out !== undefined && (await upToDate(options.out, stamp)) !== image.manifest.digest) await writeLayoutDir(options.out, image, stamp);
  if (options.tar !== undefined) await writeLayoutTar(options.tar, image);
  process.stdout.write(`${image.manifest.digest}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`build-busybox-image: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
