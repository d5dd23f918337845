import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyedMutex, RecordStore } from './record-store.js';

interface Rec {
  readonly id: string;
  readonly n: number;
}
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && typeof (v as Rec).id === 'string' && typeof (v as Rec).n === 'number';

test('records survive a reload, corrupt files are reported, ids cannot become paths', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'records-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const store = new RecordStore<Rec>(dir, isRec);
  await store.load();
  await store.put({ id: 'a', n: 1 });
  await store.update('a', (r) => ({ ...r, n: 2 }));
  await writeFile(join(dir, 'broken.json'), '{not json');
  const reloaded = new RecordStore<Rec>(dir, isRec);
  const corrupt: string[] = [];
  await reloaded.load((file) => corrupt.push(file));
  assert.deepEqual(reloaded.get('a'), { id: 'a', n: 2 });
  assert.deepEqual(corrupt, ['broken.json']);
  await assert.rejects(store.put({ id: '../escape', n: 0 }), /invalid record id/);
  await assert.rejects(
    store.update('missing', (r) => r),
    /not found/,
  );
  await store.delete('a');
  await store.delete('a');
  assert.deepEqual(
    (await readdir(dir)).filter((f) => !f.startsWith('.')),
    ['broken.json'],
  );
});

test('the keyed mutex serialises per key and keeps going after a failure', async () => {
  const mutex = new KeyedMutex();
  const order: string[] = [];
  const slow = mutex.run('k', async () => {
    await new Promise((r) => setTimeout(r, 20));
    order.push('first');
    throw new Error('boom');
  });
  const next = mutex.run('k', () => {
    order.push('second');
    return Promise.resolve(2);
  });
  await assert.rejects(slow, /boom/);
  assert.equal(await next, 2);
  assert.deepEqual(order, ['first', 'second']);
});
