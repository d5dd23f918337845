import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MOUNT_DATA_MAX_BYTES, isUnder, parseMountInfo, planOverlay, unescapeMountField } from './mount.js';

test('mountinfo: optional fields, escaped paths, super options', () => {
  const text = [
    '36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue',
    '100 25 0:50 / /tmp/a\\040b\\011c rw,relatime shared:5 master:2 - tmpfs tmpfs rw,size=1024k,mode=700',
    '101 25 0:51 / /tmp/ov rw,relatime - overlay overlay rw,lowerdir=/l1:/l2,upperdir=/u,workdir=/w',
    '',
  ].join('\n');
  const [a, b, c] = parseMountInfo(text);
  assert.deepEqual(a, {
    id: 36,
    parentId: 35,
    root: '/mnt1',
    target: '/mnt2',
    options: 'rw,noatime',
    fsType: 'ext3',
    source: '/dev/root',
    superOptions: 'rw,errors=continue',
    propagation: 'slave',
  });
  assert.equal(b?.target, '/tmp/a b\tc');
  // shared:N wins over master:N (a mount can be both: a shared slave); no optional field = private.
  assert.equal(b?.propagation, 'shared');
  assert.equal(c?.propagation, 'private');
  assert.equal(b?.fsType, 'tmpfs');
  assert.equal(c?.superOptions, 'rw,lowerdir=/l1:/l2,upperdir=/u,workdir=/w');
});

test('unescapeMountField', () => {
  assert.equal(unescapeMountField('a\\040b\\134c\\012'), 'a b\\c\n');
});

test('isUnder is path-component aware', () => {
  assert.equal(isUnder('/tmp/x/y', '/tmp/x'), true);
  assert.equal(isUnder('/tmp/x', '/tmp/x'), true);
  assert.equal(isUnder('/tmp/xy', '/tmp/x'), false);
});

test('planOverlay: relative to the upper and work dirs’ own directory while it fits one page, absolute when they live apart', () => {
  assert.deepEqual(planOverlay(['/l/top', '/l/bottom'], '/c/upper', '/c/work'), {
    options: 'lowerdir=../l/top:../l/bottom,upperdir=upper,workdir=work',
    cwd: '/c',
  });
  assert.deepEqual(planOverlay(['/l/top', '/l/bottom'], '/a/u', '/b/w'), { options: 'lowerdir=/l/top:/l/bottom,upperdir=/a/u,workdir=/b/w' });
});

test('planOverlay: relative lowerdirs from their common parent when too long, and an error when even that is', () => {
  const lowers = Array.from({ length: 50 }, (_, i) => `/var/lib/peapod/snapshots/${String(i).padStart(64, '0')}/fs`);
  const plan = planOverlay(lowers, '/c/upper', '/c/work');
  assert.equal(plan.cwd, '/var/lib/peapod/snapshots');
  assert.ok(plan.options.startsWith(`lowerdir=${'0'.repeat(64)}/fs:`));
  assert.ok(Buffer.byteLength(plan.options) <= MOUNT_DATA_MAX_BYTES);
  const tooMany = Array.from({ length: 200 }, (_, i) => `/s/${String(i).padStart(64, '0')}/fs`);
  assert.throws(() => planOverlay(tooMany, '/u', '/w'), /at most 4095 fit/);
  assert.throws(() => planOverlay([], '/u', '/w'), /at least one/);
  assert.throws(() => planOverlay(['/a,b'], '/u', '/w'), /cannot carry/);
});
