import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PeapodError } from '../common/errors.js';
import { parseConfigDocument, parseManifestDocument } from './manifest.js';

const D = (c: string): string => `sha256:${c.repeat(64)}`;
const bytes = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));

test('schema 1 manifests are refused, by body or by content type', () => {
  for (const [doc, type] of [
    [{ schemaVersion: 1, name: 'x', fsLayers: [] }, undefined],
    [{ name: 'x' }, 'application/vnd.docker.distribution.manifest.v1+prettyjws'],
  ] as const) {
    assert.throws(
      () => parseManifestDocument(bytes(doc), type, 'm'),
      (err: unknown) => {
        assert.ok(err instanceof PeapodError && err.code === 'Unimplemented');
        assert.match(err.message, /schema 1 is not supported/);
        return true;
      },
    );
  }
});

test('an unknown manifest type and an artifact config are refused', () => {
  assert.throws(
    () => parseManifestDocument(bytes({ mediaType: 'application/vnd.example+json' }), undefined, 'm'),
    /unsupported manifest media type "application\/vnd.example\+json"/,
  );
  const artifact = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.example.config+json', digest: D('a'), size: 2 },
    layers: [],
  };
  assert.throws(() => parseManifestDocument(bytes(artifact), undefined, 'm'), /not an image config/);
});

test('OCI manifests without mediaType are recognised by shape; bad descriptors are DataLoss', () => {
  const m = {
    schemaVersion: 2,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: D('a'), size: 2 },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd', digest: D('b'), size: 3 }],
  };
  const parsed = parseManifestDocument(bytes(m), 'application/json', 'm');
  assert.equal(parsed.kind, 'manifest');
  const idx = parseManifestDocument(
    bytes({
      schemaVersion: 2,
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: D('c'), size: 1, platform: { os: 'linux', architecture: 'amd64' } }],
    }),
    undefined,
    'i',
  );
  assert.equal(idx.kind, 'index');
  const bad = { ...m, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: 'sha256:../../etc', size: 1 }] };
  assert.throws(
    () => parseManifestDocument(bytes(bad), undefined, 'm'),
    (err: unknown) => err instanceof PeapodError && err.code === 'DataLoss',
  );
  assert.throws(() => parseManifestDocument(Buffer.from('not json'), undefined, 'm'), /not valid JSON/);
});

test('foreign layers are refused', () => {
  const m = {
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: D('a'), size: 2 },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', digest: D('b'), size: 3 }],
  };
  assert.throws(() => parseManifestDocument(bytes(m), undefined, 'm'), /foreign \(non-distributable\) layer/);
});

test('image config: runtime fields and diff_ids', () => {
  const cfg = parseConfigDocument(
    bytes({
      os: 'linux',
      architecture: 'arm64',
      variant: 'v8',
      config: {
        User: '1000',
        Env: ['A=1'],
        Entrypoint: ['/e'],
        Cmd: ['c'],
        WorkingDir: '/w',
        ExposedPorts: { '80/tcp': {} },
        StopSignal: 'SIGQUIT',
        Volumes: { '/data': {} },
      },
      rootfs: { type: 'layers', diff_ids: [D('d')] },
    }),
    'c',
  );
  assert.deepEqual(cfg.runtime, {
    user: '1000',
    env: ['A=1'],
    entrypoint: ['/e'],
    cmd: ['c'],
    workingDir: '/w',
    exposedPorts: ['80/tcp'],
    stopSignal: 'SIGQUIT',
    volumes: ['/data'],
  });
  assert.deepEqual(cfg.diffIds, [D('d')]);
  assert.equal(cfg.variant, 'v8');
  assert.throws(() => parseConfigDocument(bytes({ rootfs: { type: 'layers', diff_ids: ['x'] } }), 'c'), /diff_ids\[0\]/);
});
