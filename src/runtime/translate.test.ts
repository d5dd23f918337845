// The runtime's half of the translation, containerd's rules worked by hand: what both fronts get for
// the same request (test/cri/fronts-spec.test.ts checks they do send the same request).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImageRuntimeConfig } from '../image/types.js';
import { DEFAULT_PATH_ENV } from '../oci/defaults.js';
import { processArgs, processEnv, resolveContainerConfig, resolveSandboxConfig } from './translate.js';
import type { ContainerRequest, SandboxConfig, SandboxRecord } from './types.js';
import { containerRequest } from './testing/container-request.js';

const image = (config: ImageRuntimeConfig): { config: ImageRuntimeConfig } => ({ config });
const ENTRY = image({ entrypoint: ['/entry'], cmd: ['--from-cmd'] });

test('argv: command replaces ENTRYPOINT and drops CMD; args replace CMD; neither keeps both', () => {
  assert.deepEqual(processArgs([], [], ENTRY, 'c'), ['/entry', '--from-cmd']);
  assert.deepEqual(processArgs([], ['--mine'], ENTRY, 'c'), ['/entry', '--mine']);
  assert.deepEqual(processArgs(['/bin/sh'], [], ENTRY, 'c'), ['/bin/sh']);
  assert.deepEqual(processArgs(['/bin/sh'], ['-c', 'true'], ENTRY, 'c'), ['/bin/sh', '-c', 'true']);
  assert.deepEqual(processArgs([], ['only-args'], image({}), 'c'), ['only-args']);
  assert.throws(() => processArgs([], [], image({}), 'c'), /container c: no command specified/);
});

test("env: default PATH, HOSTNAME, the image's env, the request's, each name once in its first place", () => {
  assert.deepEqual(processEnv([], image({}), 'pod'), [DEFAULT_PATH_ENV, 'HOSTNAME=pod']);
  assert.deepEqual(processEnv([{ key: 'A', value: '1' }], image({ env: ['PATH=/img', 'B=2'] }), 'pod'), ['PATH=/img', 'HOSTNAME=pod', 'B=2', 'A=1']);
  assert.deepEqual(
    processEnv(
      [
        { key: 'PATH', value: '/mine' },
        { key: 'B', value: 'x=y' },
      ],
      image({ env: ['B=2'] }),
      'pod',
    ),
    ['PATH=/mine', 'HOSTNAME=pod', 'B=x=y'],
  );
});

test("sandbox hostname: an empty one, and any in the node's network, is the node's", () => {
  const base = { hostname: 'web', network: 'pod' } as SandboxConfig;
  assert.equal(resolveSandboxConfig(base, () => 'node1').hostname, 'web');
  assert.equal(resolveSandboxConfig({ ...base, hostname: '' }, () => 'node1').hostname, 'node1');
  assert.equal(resolveSandboxConfig({ ...base, network: 'node' }, () => 'node1').hostname, 'node1');
});

const request = (extra: Partial<ContainerRequest> = {}): ContainerRequest => containerRequest('c', { image: 'img', ...extra });

const sandbox = (network: 'pod' | 'node'): SandboxRecord =>
  ({ config: { hostname: 'pod', network, sysctls: { 'kernel.shm_rmid_forced': '1' } } }) as unknown as SandboxRecord;

test("container: the image's WORKDIR, USER and STOPSIGNAL are defaults; the pod's sysctls only in its own network", async () => {
  const img = image({ entrypoint: ['/entry'], workingDir: '/srv', user: '1000:50', stopSignal: 'quit' });
  const plain = await resolveContainerConfig(request(), img, sandbox('pod'));
  assert.equal(plain.workingDir, '/srv');
  assert.deepEqual(plain.security.user, { supplementalGroups: [], image: '1000:50' });
  assert.equal(plain.stopSignal, 'SIGQUIT');
  assert.deepEqual(plain.security.sysctls, { 'kernel.shm_rmid_forced': '1' });
  const asked = await resolveContainerConfig(request({ workingDir: '/mine', stopSignal: 'SIGINT' }), img, sandbox('node'));
  assert.equal(asked.workingDir, '/mine');
  assert.equal(asked.stopSignal, 'SIGINT');
  assert.deepEqual(asked.security.sysctls, {});
  assert.equal((await resolveContainerConfig(request(), image({ cmd: ['x'] }), sandbox('pod'))).workingDir, '/');
});

test('seccomp: a Localhost profile is read from its path; privileged never reads it; a missing file is NotFound', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'translate-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'p.json');
  await writeFile(path, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW' }));
  const security = request().security;
  const loaded = await resolveContainerConfig(request({ security: { ...security, seccomp: { kind: 'localhost', path } } }), ENTRY, sandbox('pod'));
  assert.deepEqual(loaded.security.seccomp, { kind: 'localhost', profile: { defaultAction: 'SCMP_ACT_ALLOW' } });
  const missing = { ...security, seccomp: { kind: 'localhost', path: join(dir, 'none.json') } } as const;
  await assert.rejects(resolveContainerConfig(request({ security: missing }), ENTRY, sandbox('pod')), /cannot load seccomp profile .*none\.json/);
  const privileged = await resolveContainerConfig(request({ security: { ...missing, privileged: true } }), ENTRY, sandbox('pod'));
  assert.deepEqual(privileged.security.seccomp, { kind: 'unconfined' });
});
