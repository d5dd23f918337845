import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  findProcesses,
  isAlive,
  namespaceInodes,
  parseCmdline,
  parseNamespaceLink,
  parseProcStat,
  processStartTime,
  readOomScoreAdj,
  signalIfSame,
} from './proc.js';

// A stat line whose comm holds spaces and a ')' (proc(5): fields are found after the LAST ')').
const STAT =
  '4242 (we ird) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 200 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0';

test('parseProcStat reads fields after the last parenthesis', () => {
  const st = parseProcStat(STAT);
  assert.deepEqual(st, { pid: 4242, comm: 'we ird) name', state: 'S', ppid: 1, pgrp: 4242, session: 4242, startTime: 987654 });
  assert.throws(() => parseProcStat('garbage'));
});

test('parseNamespaceLink', () => {
  assert.equal(parseNamespaceLink('net:[4026531993]'), 4026531993);
  assert.throws(() => parseNamespaceLink('net:4026531993'));
});

test('parseCmdline splits on NUL', () => {
  assert.deepEqual(parseCmdline('conmon\0-c\0abc\0'), ['conmon', '-c', 'abc']);
  assert.deepEqual(parseCmdline(''), []);
});

test('a fake /proc: start time, liveness (zombies are dead, reused PIDs are not ours), cmdline scan, namespaces', async (t) => {
  const proc = await mkdtemp(join(tmpdir(), 'peapod-proc-'));
  t.after(() => rm(proc, { recursive: true, force: true }));
  const fake = async (pid: number, state: string, start: number, argv: string[]): Promise<void> => {
    await mkdir(join(proc, String(pid), 'ns'), { recursive: true });
    await writeFile(join(proc, String(pid), 'stat'), STAT.replace('4242 (', `${pid} (`).replace(') S ', `) ${state} `).replace(' 987654 ', ` ${start} `));
    await writeFile(join(proc, String(pid), 'cmdline'), argv.map((a) => `${a}\0`).join(''));
  };
  await fake(10, 'S', 500, ['conmon', '--persist-dir', '/run/x']);
  await fake(11, 'Z', 600, []);
  await fake(12, 'R', 700, ['sleep', '1']);
  for (const [i, kind] of ['net', 'ipc', 'uts', 'pid', 'mnt', 'cgroup', 'user'].entries())
    await symlink(`${kind}:[${4026531000 + i}]`, join(proc, '10', 'ns', kind));
  await writeFile(join(proc, '10', 'oom_score_adj'), '-999\n');
  assert.equal(await processStartTime(10, proc), 500);
  assert.equal(await processStartTime(99, proc), undefined);
  assert.equal(await isAlive(10, undefined, proc), true);
  assert.equal(await isAlive(10, 500, proc), true);
  assert.equal(await isAlive(10, 501, proc), false, 'a reused PID');
  assert.equal(await isAlive(11, undefined, proc), false, 'a zombie');
  assert.equal(await isAlive(99, undefined, proc), false);
  assert.deepEqual(await findProcesses((argv) => argv.includes('/run/x'), proc), [{ pid: 10, cmdline: ['conmon', '--persist-dir', '/run/x'] }]);
  assert.deepEqual(await namespaceInodes(10, proc), {
    net: 4026531000,
    ipc: 4026531001,
    uts: 4026531002,
    pid: 4026531003,
    mnt: 4026531004,
    cgroup: 4026531005,
    user: 4026531006,
  });
  assert.equal(await readOomScoreAdj(10, proc), -999);
});

test('the real /proc: this process is alive and has namespaces', async () => {
  const start = await processStartTime(process.pid);
  assert.ok(start !== undefined && start > 0);
  assert.equal(await isAlive(process.pid, start), true);
  const ns = await namespaceInodes('self');
  assert.ok(ns.net > 0 && ns.mnt > 0);
  assert.equal(typeof (await readOomScoreAdj()), 'number');
});

test('signalIfSame signals only the process started at that time', async () => {
  const child = spawn('sleep', ['1000'], { stdio: 'ignore' });
  await once(child, 'spawn');
  const pid = child.pid ?? 0;
  const startTime = await processStartTime(pid);
  assert.ok(startTime !== undefined);
  assert.equal(await signalIfSame(pid, startTime + 1, 'SIGKILL'), 'gone', 'another start time: a reused PID, not ours');
  assert.equal(await isAlive(pid), true, 'and it was not signalled');
  const exited = once(child, 'exit');
  assert.equal(await signalIfSame(pid, startTime, 'SIGTERM'), 'sent');
  assert.deepEqual(await exited, [null, 'SIGTERM']);
  assert.equal(await signalIfSame(pid, startTime, 'SIGTERM'), 'gone');
});
