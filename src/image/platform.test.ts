import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPlatform, hostPlatform, normalizePlatform, platformRank, selectPlatformEntry, type DescriptorPlatform } from './platform.js';

test('host platform maps Node architectures to GOARCH', () => {
  assert.deepEqual(hostPlatform('x64'), { os: 'linux', architecture: 'amd64' });
  assert.deepEqual(hostPlatform('arm64'), { os: 'linux', architecture: 'arm64', variant: 'v8' });
  assert.deepEqual(hostPlatform('arm', '6'), { os: 'linux', architecture: 'arm', variant: 'v6' });
  assert.deepEqual(hostPlatform('arm', undefined), { os: 'linux', architecture: 'arm', variant: 'v7' });
  assert.deepEqual(hostPlatform('ia32'), { os: 'linux', architecture: '386' });
  assert.deepEqual(hostPlatform('s390x'), { os: 'linux', architecture: 's390x' });
});

const normalisation: readonly (readonly [DescriptorPlatform, string])[] = [
  [{ os: 'linux', architecture: 'x86_64' }, 'linux/amd64'],
  [{ os: 'Linux', architecture: 'AMD64' }, 'linux/amd64'],
  [{ os: 'linux', architecture: 'aarch64' }, 'linux/arm64/v8'],
  [{ os: 'linux', architecture: 'arm64', variant: '8' }, 'linux/arm64/v8'],
  [{ os: 'linux', architecture: 'arm64', variant: 'v8' }, 'linux/arm64/v8'],
  [{ os: 'linux', architecture: 'arm' }, 'linux/arm/v7'],
  [{ os: 'linux', architecture: 'armhf' }, 'linux/arm/v7'],
  [{ os: 'linux', architecture: 'armel' }, 'linux/arm/v6'],
  [{ os: 'linux', architecture: 'arm', variant: '5' }, 'linux/arm/v5'],
  [{ os: 'linux', architecture: 'i386' }, 'linux/386'],
  [{ os: 'linux', architecture: 'amd64', variant: 'v1' }, 'linux/amd64'],
];
for (const [input, want] of normalisation) {
  test(`normalises ${JSON.stringify(input)} to ${want}`, () => {
    assert.equal(formatPlatform(normalizePlatform(input)), want);
  });
}

const index = [
  { name: 'attestation', platform: { os: 'unknown', architecture: 'unknown' } },
  { name: 'arm-v5', platform: { os: 'linux', architecture: 'arm', variant: 'v5' } },
  { name: 'arm-v6', platform: { os: 'linux', architecture: 'arm', variant: 'v6' } },
  { name: 'arm64', platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
  { name: 'amd64', platform: { os: 'linux', architecture: 'amd64' } },
  { name: 'windows', platform: { os: 'windows', architecture: 'amd64' } },
  { name: 'ppc', platform: { os: 'linux', architecture: 'ppc64le' } },
];

test('selects the host platform out of an index', () => {
  assert.equal(selectPlatformEntry(index, { os: 'linux', architecture: 'amd64' })?.name, 'amd64');
  assert.equal(selectPlatformEntry(index, { os: 'linux', architecture: 'arm64', variant: 'v8' })?.name, 'arm64');
  assert.equal(selectPlatformEntry(index, { os: 'linux', architecture: 'ppc64le' })?.name, 'ppc');
});

test('arm64 without variant matches arm64/v8 (containerd default)', () => {
  const entries = [{ name: 'a', platform: { os: 'linux', architecture: 'arm64' } }];
  assert.equal(selectPlatformEntry(entries, hostPlatform('arm64'))?.name, 'a');
});

test('arm/v7 runs v6 and v5, preferring the highest', () => {
  assert.equal(selectPlatformEntry(index, { os: 'linux', architecture: 'arm', variant: 'v7' })?.name, 'arm-v6');
  assert.equal(selectPlatformEntry(index, { os: 'linux', architecture: 'arm', variant: 'v5' })?.name, 'arm-v5');
  assert.equal(platformRank({ os: 'linux', architecture: 'arm', variant: 'v6' }, { os: 'linux', architecture: 'arm', variant: 'v7' }), -1);
});

test('nothing matches: undefined; an entry without platform is a last resort', () => {
  assert.equal(selectPlatformEntry(index, { os: 'linux', architecture: 'riscv64' }), undefined);
  const withUnlabelled = [{ name: 'x' }, { name: 'arm64', platform: { os: 'linux', architecture: 'arm64' } }];
  assert.equal(selectPlatformEntry(withUnlabelled, { os: 'linux', architecture: 'amd64' })?.name, 'x');
  assert.equal(selectPlatformEntry(withUnlabelled, { os: 'linux', architecture: 'arm64' })?.name, 'arm64');
});

test('amd64/v3 accepts v2 and the baseline, preferring v3', () => {
  const entries = [
    { name: 'base', platform: { os: 'linux', architecture: 'amd64' } },
    { name: 'v3', platform: { os: 'linux', architecture: 'amd64', variant: 'v3' } },
  ];
  assert.equal(selectPlatformEntry(entries, { os: 'linux', architecture: 'amd64', variant: 'v3' })?.name, 'v3');
  assert.equal(selectPlatformEntry(entries, { os: 'linux', architecture: 'amd64' })?.name, 'base');
});
