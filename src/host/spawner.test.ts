import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runUnchecked, runToFile, withSpawner } from './exec.js';
import { Spawner } from './spawner.js';
import { isAlive, readProcStat } from './proc.js';

const OPTS = { timeoutMs: 10_000, drainMs: 200 };

test('spawner: exit code, both streams, input, env and cwd', async (t) => {
  const s = new Spawner();
  t.after(() => s.close());
  const r = await s.run('sh', ['-c', 'cat; echo "$GREETING from $(pwd)" >&2; exit 7'], {
    ...OPTS,
    input: 'piped in',
    env: { GREETING: 'hello', PATH: process.env.PATH ?? '' },
    cwd: '/tmp',
  });
  assert.deepEqual(r, { code: 7, signal: null, stdout: 'piped in', stderr: 'hello from /tmp\n', timedOut: false });
});

test('spawner: a command past its deadline is KILLed and reported timed out; an abort kills it too', async (t) => {
  const s = new Spawner();
  t.after(() => s.close());
  const late = await s.run('sleep', ['30'], { ...OPTS, timeoutMs: 100 });
  assert.equal(late.timedOut, true);
  assert.equal(late.signal, 'SIGKILL');
  const abort = new AbortController();
  const running = s.run('sleep', ['30'], { ...OPTS, signal: abort.signal });
  abort.abort();
  assert.equal((await running).signal, 'SIGKILL');
});

test('spawner: a missing program is ENOENT; many commands at once all answer', async (t) => {
  const s = new Spawner();
  t.after(() => s.close());
  await assert.rejects(s.run('/no/such/program', [], OPTS), (err: NodeJS.ErrnoException) => err.code === 'ENOENT');
  const many = await Promise.all(Array.from({ length: 50 }, (_, i) => s.run('sh', ['-c', `echo ${i}`], OPTS)));
  assert.deepEqual(
    many.map((r) => r.stdout),
    Array.from({ length: 50 }, (_, i) => `${i}\n`),
  );
});

test('spawner: when it dies, the commands in flight fail and the next one starts a new spawner', async (t) => {
  const s = new Spawner();
  t.after(() => s.close());
  const first = Number((await s.run('sh', ['-c', 'echo $PPID'], OPTS)).stdout);
  const inFlight = s.run('sleep', ['30'], OPTS);
  process.kill(first, 'SIGKILL');
  await assert.rejects(inFlight, /the spawner exited/);
  const second = Number((await s.run('sh', ['-c', 'echo $PPID'], OPTS)).stdout);
  assert.notEqual(second, first);
  assert.equal(await isAlive(first), false);
});

test('withSpawner: runUnchecked and runToFile go through the spawner, not a fork of this process', async (t) => {
  const s = new Spawner();
  t.after(() => s.close());
  const dir = await mkdtemp(join(tmpdir(), 'peapod-spawner-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await withSpawner(s, async () => {
    const parent = Number((await runUnchecked('sh', ['-c', 'echo $PPID'])).stdout);
    assert.notEqual(parent, process.pid);
    assert.equal((await readProcStat(parent))?.comm, 'python3');
    // The grandchild keeps the output file open for 30 s; the call returns when the child exits.
    const r = await runToFile('sh', ['-c', 'sleep 30 & echo "child $!"; echo oops >&2; exit 3'], join(dir, 'out.log'));
    assert.equal(r.code, 3);
    const child = Number(/child (\d+)/.exec(r.stderr)?.[1]);
    assert.equal(await isAlive(child), true);
    process.kill(child, 'SIGKILL');
    assert.match(await readFile(join(dir, 'out.log'), 'utf8'), /^child \d+\noops\n$/);
  });
  const here = Number((await runUnchecked('sh', ['-c', 'echo $PPID'])).stdout);
  assert.equal(here, process.pid, 'outside the scope, commands are forked here again');
});

test('spawner: conmon mode hands the program the sync and start socket pairs and returns what the sync pipe said', async (t) => {
  const s = new Spawner();
  t.after(() => s.close());
  // A stand-in for conmon's protocol: wait for the start byte on $_OCI_STARTPIPE, answer on $_OCI_SYNCPIPE.
  const script = 'head -c 1 <&$_OCI_STARTPIPE >/dev/null; echo "{\\"data\\": 4242}" >&$_OCI_SYNCPIPE; echo warn >&2';
  const r = await s.run('bash', ['-c', script], { ...OPTS, conmon: true, cwd: '/tmp' });
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), '{"data": 4242}');
  const failed = await s.run('bash', ['-c', 'echo broken >&2; exit 1'], { ...OPTS, conmon: true });
  assert.deepEqual([failed.code, failed.stdout, failed.stderr], [1, '', 'broken\n']);
});

test('spawner: native calls answer with the errno of a refused syscall, and a pin leaves its namespace bound', async (t) => {
  const s = new Spawner();
  t.after(() => s.close());
  const dir = await mkdtemp(join(tmpdir(), 'spawner-native-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await assert.rejects(s.native({ op: 'mount', source: 'tmpfs', target: join(dir, 'missing'), fstype: 'tmpfs', flags: 0 }, 10_000), {
    code: 'ENOENT',
    message: /native mount ENOENT: mount .*missing: No such file or directory/,
  });
  await assert.rejects(s.native({ op: 'umount', targets: [dir], flags: 0 }, 10_000), { code: 'EINVAL' });
  const pin = join(dir, 'uts');
  await writeFile(pin, '');
  await s.native({ op: 'pin', pins: [{ kind: 'uts', path: pin }], hostname: 'pinned-here' }, 10_000);
  t.after(() => s.native({ op: 'umount', targets: [pin], flags: 2 }, 10_000).catch(() => undefined));
  const inside = await s.run('nsenter', [`--uts=${pin}`, 'hostname'], OPTS);
  assert.equal(inside.stdout.trim(), 'pinned-here');
  // The spawner itself stayed in the host's UTS namespace: only the request's thread moved.
  assert.notEqual((await s.run('hostname', [], OPTS)).stdout.trim(), 'pinned-here');
  await s.native({ op: 'umount', targets: [pin], flags: 2 }, 10_000);
  // UMOUNT_NOFOLLOW (8): a symlink put where a mount was is not followed to the mount behind it.
  const target = join(dir, 'tmpfs');
  await mkdir(target);
  await s.native({ op: 'mount', source: 'tmpfs', target, fstype: 'tmpfs', flags: 0 }, 10_000);
  t.after(() => s.native({ op: 'umount', targets: [target], flags: 2 }, 10_000).catch(() => undefined));
  await symlink(target, join(dir, 'link'));
  await assert.rejects(s.native({ op: 'umount', targets: [join(dir, 'link')], flags: 8 }, 10_000), { code: 'EINVAL' });
  assert.equal((await readFile('/proc/self/mountinfo', 'utf8')).includes(` ${target} `), true, 'the mount behind the link stays');
  await s.native({ op: 'umount', targets: [target], flags: 8 }, 10_000);
  assert.equal((await readFile('/proc/self/mountinfo', 'utf8')).includes(` ${target} `), false);
  // A mount with a working directory: relative options start there, and only the request's thread moved.
  const before = (await s.run('pwd', [], OPTS)).stdout;
  await Promise.all(['layer', 'c/upper', 'c/work', 'c/merged'].map((d) => mkdir(join(dir, d), { recursive: true })));
  await writeFile(join(dir, 'layer', 'f'), 'from the layer');
  const merged = join(dir, 'c', 'merged');
  await s.native(
    { op: 'mount', source: 'overlay', target: merged, fstype: 'overlay', flags: 0, data: 'lowerdir=../layer,upperdir=upper,workdir=work', cwd: join(dir, 'c') },
    10_000,
  );
  t.after(() => s.native({ op: 'umount', targets: [merged], flags: 2 }, 10_000).catch(() => undefined));
  assert.equal(await readFile(join(merged, 'f'), 'utf8'), 'from the layer');
  assert.equal((await s.run('pwd', [], OPTS)).stdout, before, "the spawner's own directory is where it was");
  await assert.rejects(
    s.native({ op: 'mount', source: 'overlay', target: merged, fstype: 'overlay', flags: 0, data: 'x', cwd: join(dir, 'nowhere') }, 10_000),
    { code: 'ENOENT' },
  );
  await s.native({ op: 'umount', targets: [merged], flags: 8 }, 10_000);
});
