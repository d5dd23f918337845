import { test } from 'node:test';
import assert from 'node:assert/strict';
import { numericImageUid, parseGroup, parsePasswd, resolveUser, type UserDb, type UserRequest } from './user.js';

const db: UserDb = {
  passwd: parsePasswd(
    ['root:x:0:0:root:/root:/bin/sh', 'nobody:x:65534:65534:nobody:/:/bin/false', 'app:x:1000:1001::/app:/bin/sh', '# comment', 'broken:x:abc'].join('\n'),
  ),
  group: parseGroup(['root:x:0:', 'wheel:x:10:root,app', 'app:x:1001:app', 'audio:x:29:app,other', 'nogroup:x:65534:'].join('\n')),
};
const none: UserDb = { passwd: undefined, group: undefined };
const req = (r: Partial<UserRequest>): UserRequest => ({ image: '', supplementalGroups: [], ...r });

// additionalGids always hold the primary group (containerd's ensureAdditionalGids), sorted (its mergeGids).
test('the image user, as containerd resolves it', () => {
  const cases: [string, UserDb, { uid: number; gid: number; additionalGids: number[] }][] = [
    ['', db, { uid: 0, gid: 0, additionalGids: [0, 10] }],
    ['1000', db, { uid: 1000, gid: 1001, additionalGids: [10, 29, 1001] }],
    // A numeric user the image does not know: gid 0 (containerd's WithUserID), not the uid.
    ['1234', db, { uid: 1234, gid: 0, additionalGids: [0] }],
    ['1000', none, { uid: 1000, gid: 0, additionalGids: [0] }],
    ['1000:50', db, { uid: 1000, gid: 50, additionalGids: [10, 29, 50] }],
    ['nobody', db, { uid: 65534, gid: 65534, additionalGids: [65534] }],
    ['app:audio', db, { uid: 1000, gid: 29, additionalGids: [10, 29] }],
    ['1000:nogroup', db, { uid: 1000, gid: 65534, additionalGids: [10, 29, 65534] }],
  ];
  for (const [image, userDb, expected] of cases) assert.deepEqual(resolveUser(req({ image }), userDb), expected, image);
});

test('runAsUser and run_as_username win over the image; runAsGroup replaces the primary group', () => {
  assert.deepEqual(resolveUser(req({ image: 'nobody', uid: 1000 }), db), { uid: 1000, gid: 1001, additionalGids: [10, 29, 1001] });
  assert.deepEqual(resolveUser(req({ image: '1000', uid: 0 }), db), { uid: 0, gid: 0, additionalGids: [0, 10] });
  assert.deepEqual(resolveUser(req({ username: 'nobody' }), db), { uid: 65534, gid: 65534, additionalGids: [65534] });
  assert.deepEqual(resolveUser(req({ uid: 1000, gid: 5 }), db), { uid: 1000, gid: 5, additionalGids: [5, 10, 29] });
  // The pod front may ask for a group alone: it applies to the image's user.
  assert.deepEqual(resolveUser(req({ image: '1000', gid: 7 }), db), { uid: 1000, gid: 7, additionalGids: [7, 10, 29] });
});

test('supplemental groups join the primary and image groups: once each, ascending, as containerd merges them', () => {
  assert.deepEqual(resolveUser(req({ uid: 1000, supplementalGroups: [4000, 29, 4000, 3] }), db).additionalGids, [3, 10, 29, 1001, 4000]);
  assert.deepEqual(resolveUser(req({ uid: 5, supplementalGroups: [4000] }), none).additionalGids, [0, 4000]);
});

test('unknown names are errors naming the field and the file', () => {
  assert.throws(() => resolveUser(req({ username: 'ghost' }), db), /run_as_username: no user "ghost" in the image's \/etc\/passwd/);
  assert.throws(() => resolveUser(req({ image: 'ghost' }), none), /the image's USER "ghost".*no user "ghost"/);
  assert.throws(() => resolveUser(req({ image: 'app:ghosts' }), db), /no group "ghosts" in the image's \/etc\/group/);
});

test('numericImageUid: what runAsNonRoot can be checked against', () => {
  assert.equal(numericImageUid(''), 0);
  assert.equal(numericImageUid('root'), 0);
  assert.equal(numericImageUid('1000:1000'), 1000);
  assert.equal(numericImageUid('nobody'), undefined);
});
