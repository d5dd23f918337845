import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mirrorsFor, parseMirrorList, parseMirrorsFile } from './mirrors.js';

test('the environment list: registry=url, repeated registries keep their order, duplicates dropped', () => {
  const map = parseMirrorList(
    ['docker.io=https://a.example', 'registry.k8s.io=http://127.0.0.1:5000/', 'docker.io=https://b.example:8443', 'docker.io=https://a.example'],
    'env',
  );
  assert.deepEqual(mirrorsFor(map, 'docker.io'), ['https://a.example', 'https://b.example:8443']);
  assert.deepEqual(mirrorsFor(map, 'Registry.K8s.io'), ['http://127.0.0.1:5000']);
  assert.deepEqual(mirrorsFor(map, 'gcr.io'), []);
});

test('bad entries name where they are and what is allowed', () => {
  assert.throws(() => parseMirrorList(['docker.io'], 'PEAPOD_REGISTRY_MIRRORS'), /PEAPOD_REGISTRY_MIRRORS\[0\]: "docker.io" must be registry=url/);
  assert.throws(() => parseMirrorList(['docker.io=ftp://x'], 'E'), /E\[0\]: "ftp:\/\/x": only http and https/);
  assert.throws(() => parseMirrorList(['docker.io=https://x/path'], 'E'), /scheme:\/\/host\[:port\] only/);
  assert.throws(() => parseMirrorList(['docker.io=https://u:p@x'], 'E'), /no path, query or credentials/);
  assert.throws(() => parseMirrorList(['bad host=https://x'], 'E'), /is not a registry host/);
});

test('the YAML file: a mapping of registry to a URL or a list of URLs; unknown keys refused', () => {
  const map = parseMirrorsFile(
    'mirrors:\n  docker.io: [https://a.example, https://b.example]\n  gcr.io: http://127.0.0.1:5000\n',
    '/etc/peapod/registries.yaml',
  );
  assert.deepEqual(mirrorsFor(map, 'docker.io'), ['https://a.example', 'https://b.example']);
  assert.deepEqual(mirrorsFor(map, 'gcr.io'), ['http://127.0.0.1:5000']);
  assert.equal(parseMirrorsFile('', 'f').size, 0);
  assert.throws(() => parseMirrorsFile('mirror:\n  docker.io: [https://a]\n', 'f'), /f: mirror: unknown key; supported: "mirrors"/);
  assert.throws(() => parseMirrorsFile('mirrors:\n  docker.io: {a: 1}\n', 'f'), /f: mirrors.docker.io: expected a URL or a list of URLs/);
  assert.throws(() => parseMirrorsFile('mirrors: [1]\n', 'f'), /expected a mapping of registry/);
});
