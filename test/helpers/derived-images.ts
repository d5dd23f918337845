// Test images built over the busybox layout: each one busybox's layers plus a layer of its own and its
// own image config section, written together as one OCI layout that `peapod load` (or CRI pulls through a
// loaded store) can take. Tests use it for images whose USER, ENTRYPOINT or files they choose.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256, type BuiltLayer } from '../image/helpers/build.js';

type Json = Record<string, unknown>;

export interface DerivedImage {
  /** The reference the image is named by (the io.containerd.image.name annotation). */
  readonly ref: string;
  /** The image's own layer, on top of busybox's. */
  readonly layer: BuiltLayer;
  /** The image config's `config` section, given busybox's. */
  readonly config: (base: Json) => Json;
}

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

async function readJson(path: string): Promise<Json> {
  return JSON.parse(await readFile(path, 'utf8')) as Json;
}

export async function writeDerivedImages(dir: string, busybox: string, images: readonly DerivedImage[]): Promise<void> {
  const blobPath = (digest: string): string => join(busybox, 'blobs', 'sha256', digest.slice('sha256:'.length));
  const top = ((await readJson(join(busybox, 'index.json')))['manifests'] as { digest: string }[])[0];
  assert.ok(top, 'busybox layout has a manifest');
  const manifest = await readJson(blobPath(top.digest));
  const baseConfig = await readJson(blobPath((manifest['config'] as { digest: string }).digest));
  const baseLayers = manifest['layers'] as { digest: string }[];
  const baseDiffIds = (baseConfig['rootfs'] as { diff_ids: string[] }).diff_ids;
  const blobs = new Map<string, Buffer>();
  for (const l of baseLayers) blobs.set(l.digest, await readFile(blobPath(l.digest)));
  const entries: unknown[] = [];
  for (const image of images) {
    const { layer } = image;
    blobs.set(layer.digest, layer.bytes);
    const config = Buffer.from(
      JSON.stringify({
        ...baseConfig,
        config: image.config((baseConfig['config'] ?? {}) as Json),
        rootfs: { type: 'layers', diff_ids: [...baseDiffIds, layer.diffId] },
      }),
    );
    blobs.set(sha256(config), config);
    const doc = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MANIFEST,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
        layers: [...baseLayers, { mediaType: layer.mediaType, digest: layer.digest, size: layer.bytes.length }],
      }),
    );
    blobs.set(sha256(doc), doc);
    entries.push({ mediaType: MANIFEST, digest: sha256(doc), size: doc.length, annotations: { 'io.containerd.image.name': image.ref } });
  }
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  for (const [digest, bytes] of blobs) await writeFile(join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length)), bytes);
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: entries }));
}
