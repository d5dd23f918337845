import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PeapodError } from '../common/errors.js';
import { familiarName, normalizeReference, normalizeRegistry, parseReference, registryApiHost, storedName } from './reference.js';

const D = `sha256:${'a'.repeat(64)}`;

// Expected values follow distribution/reference's ParseNormalizedNamed + TagNameOnly (what docker pull and crictl pull do).
const valid: readonly (readonly [string, string, string, string, string | undefined, string | undefined])[] = [
  // input, normalised, registry, repository, tag, digest
  ['busybox', 'docker.io/library/busybox:latest', 'docker.io', 'library/busybox', 'latest', undefined],
  ['busybox:1.36', 'docker.io/library/busybox:1.36', 'docker.io', 'library/busybox', '1.36', undefined],
  ['user/app', 'docker.io/user/app:latest', 'docker.io', 'user/app', 'latest', undefined],
  ['docker.io/busybox', 'docker.io/library/busybox:latest', 'docker.io', 'library/busybox', 'latest', undefined],
  ['index.docker.io/library/busybox:x', 'docker.io/library/busybox:x', 'docker.io', 'library/busybox', 'x', undefined],
  ['localhost/x', 'localhost/x:latest', 'localhost', 'x', 'latest', undefined],
  ['localhost:5000/x:tag', 'localhost:5000/x:tag', 'localhost:5000', 'x', 'tag', undefined],
  ['127.0.0.1:5000/a/b/c:v1.2-rc_3', '127.0.0.1:5000/a/b/c:v1.2-rc_3', '127.0.0.1:5000', 'a/b/c', 'v1.2-rc_3', undefined],
  [`host.example.com/a/b@${D}`, `host.example.com/a/b@${D}`, 'host.example.com', 'a/b', undefined, D],
  [`busybox:1.36@${D}`, `docker.io/library/busybox:1.36@${D}`, 'docker.io', 'library/busybox', '1.36', D],
  ['Registry/app', 'Registry/app:latest', 'Registry', 'app', 'latest', undefined],
  ['a__b/c.d-e---f:_T', 'docker.io/a__b/c.d-e---f:_T', 'docker.io', 'a__b/c.d-e---f', '_T', undefined],
  ['[::1]:5000/x', '[::1]:5000/x:latest', '[::1]:5000', 'x', 'latest', undefined],
  ['quay.io/a/b:' + 'x'.repeat(128), `quay.io/a/b:${'x'.repeat(128)}`, 'quay.io', 'a/b', 'x'.repeat(128), undefined],
];

for (const [input, normalised, registry, repository, tag, digest] of valid) {
  test(`parses ${input}`, () => {
    const ref = parseReference(input);
    assert.equal(ref.registry, registry);
    assert.equal(ref.repository, repository);
    assert.equal(ref.tag, tag);
    assert.equal(ref.digest, digest);
    assert.equal(normalizeReference(input), normalised);
  });
}

const invalidRefs: readonly (readonly [string, RegExp])[] = [
  ['', /empty/],
  ['Busybox', /must be lower case/],
  ['docker.io/Library/busybox', /must be lower case/],
  ['busybox:', /malformed tag ""/],
  ['busybox:-x', /malformed tag/],
  ['busybox:.x', /malformed tag/],
  [`busybox:${'x'.repeat(129)}`, /malformed tag/],
  ['busybox@sha256:abc', /malformed digest/],
  [`busybox@sha512:${'a'.repeat(128)}`, /only sha256/],
  [`busybox@sha256:${'A'.repeat(64)}`, /64 lower-case hex/],
  ['a'.repeat(64).replace(/a/g, 'f'), /image ID/],
  ['busy box', /white space/],
  ['-x/y', /malformed repository/],
  ['x//y', /malformed repository/],
  ['x/y_', /malformed repository/],
  ['local_host:5000/x', /malformed registry/],
  [`r.io/${'a'.repeat(260)}`, /longer than 255/],
  [':tag', /repository name is empty/],
];

for (const [input, why] of invalidRefs) {
  test(`rejects ${JSON.stringify(input)}`, () => {
    assert.throws(
      () => parseReference(input),
      (err: unknown) => {
        assert.ok(err instanceof PeapodError);
        assert.equal(err.code, 'InvalidArgument');
        assert.match(err.message, why);
        assert.ok(err.message.includes(`"${input}"`), 'the message names the reference');
        assert.match(err.hint ?? '', /lower-case repository/);
        return true;
      },
    );
  });
}

test('stored names keep the tag, or the digest when pulled by digest only', () => {
  assert.equal(storedName(parseReference('busybox')), 'docker.io/library/busybox:latest');
  assert.equal(storedName(parseReference(`r.io/x@${D}`)), `r.io/x@${D}`);
  assert.equal(storedName(parseReference(`r.io/x:t@${D}`)), 'r.io/x:t');
});

test('docker.io is reached at registry-1.docker.io, others as named', () => {
  assert.equal(registryApiHost('docker.io'), 'registry-1.docker.io');
  assert.equal(registryApiHost('localhost:5000'), 'localhost:5000');
});

test('registry names for login are normalised', () => {
  assert.equal(normalizeRegistry('https://index.docker.io/v1/'), 'docker.io');
  assert.equal(normalizeRegistry('127.0.0.1:5000'), '127.0.0.1:5000');
  assert.throws(() => normalizeRegistry('a b'), /invalid registry/);
});

test('familiar names drop docker.io/library/', () => {
  assert.equal(familiarName('docker.io/library/busybox:latest'), 'busybox:latest');
  assert.equal(familiarName('docker.io/user/app:1'), 'user/app:1');
  assert.equal(familiarName('quay.io/a/b:1'), 'quay.io/a/b:1');
});
