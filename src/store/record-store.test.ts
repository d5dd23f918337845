import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyedMutex, RecordStore, type RecordWriteOptions } from './record-store.js';

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

test('updates that queue behind a write share the next one, each resolving to its own result', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'records-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const writes: { n: number; sync: RecordWriteOptions['sync'] }[] = [];
  class Counting extends RecordStore<Rec> {
    protected override async writeRecord(record: Rec, options: RecordWriteOptions): Promise<Rec> {
      writes.push({ n: record.n, sync: options.sync });
      return super.writeRecord(record, options);
    }
  }
  const store = new Counting(dir, isRec);
  await store.load();
  await store.put({ id: 'a', n: 1 });
  writes.length = 0;
  // The first starts its write at once; the next four arrive while it is under way.
  const first = store.update('a', (r) => ({ ...r, n: r.n + 1 }), { sync: 'data' });
  const failing = assert.rejects(
    store.update('a', () => {
      throw new Error('refused');
    }),
    /refused/,
    'a throwing update fails alone',
  );
  const times10 = store.update('a', (r) => ({ ...r, n: r.n * 10 }), { sync: 'data' });
  const plus1 = store.update('a', (r) => ({ ...r, n: r.n + 1 }));
  const missing = assert.rejects(
    store.update('b', (r) => r),
    /not found/,
  );
  assert.deepEqual(await first, { id: 'a', n: 2 });
  await failing;
  assert.deepEqual(await times10, { id: 'a', n: 20 }, 'its own result, not the batch’s last');
  assert.deepEqual(await plus1, { id: 'a', n: 21 });
  await missing;
  assert.deepEqual(writes, [
    { n: 2, sync: 'data' },
    { n: 21, sync: 'full' },
  ]);
  const reloaded = new RecordStore<Rec>(dir, isRec);
  await reloaded.load();
  assert.deepEqual(reloaded.get('a'), { id: 'a', n: 21 });
  // Nothing queued any more: the next update is a write of its own.
  assert.deepEqual(await store.update('a', (r) => ({ ...r, n: 0 }), { sync: 'data' }), { id: 'a', n: 0 });
  assert.deepEqual(writes.at(-1), { n: 0, sync: 'data' });
});

test('a failed write fails every update it carried and leaves the record as it was; an update that returns no record fails alone', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'records-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  let failNext = false;
  class Failing extends RecordStore<Rec> {
    protected override async writeRecord(record: Rec, options: RecordWriteOptions): Promise<Rec> {
      if (failNext) {
        failNext = false;
        throw new Error('disk full');
      }
      return super.writeRecord(record, options);
    }
  }
  const store = new Failing(dir, isRec);
  await store.load();
  await store.put({ id: 'a', n: 1 });
  const first = store.update('a', (r) => ({ ...r, n: 2 }));
  failNext = true; // the second write, carrying both queued updates
  const second = assert.rejects(
    store.update('a', (r) => ({ ...r, n: 3 })),
    /disk full/,
  );
  const third = assert.rejects(
    store.update('a', (r) => ({ ...r, n: 4 })),
    /disk full/,
  );
  const none = assert.rejects(
    store.update('a', () => undefined as unknown as Rec),
    /returned no record/,
  );
  assert.deepEqual(await first, { id: 'a', n: 2 });
  await Promise.all([second, third, none]);
  assert.deepEqual(store.get('a'), { id: 'a', n: 2 }, 'memory holds what disk holds');
  assert.deepEqual(await store.update('a', (r) => ({ ...r, n: 5 })), { id: 'a', n: 5 }, 'and the next update writes again');
});

test('a delete waits for an update being written and is never undone by it; updates after it find nothing', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'records-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const store = new RecordStore<Rec>(dir, isRec);
  await store.load();
  await store.put({ id: 'a', n: 1 });
  // An update (a controller's event on an object) is being written when the delete (the user's) comes.
  const updated = store.update('a', (r) => ({ ...r, n: 2 }));
  const deleted = store.delete('a');
  const late = store.update('a', (r) => ({ ...r, n: 3 }));
  assert.deepEqual(await updated, { id: 'a', n: 2 });
  await deleted;
  await assert.rejects(late, /record a not found/);
  assert.equal(store.get('a'), undefined, 'gone from memory');
  assert.deepEqual(await readdir(dir), [], 'gone from disk');
  const reloaded = new RecordStore<Rec>(dir, isRec);
  await reloaded.load();
  assert.equal(reloaded.get('a'), undefined);
  // A put queued behind the delete makes the record anew, as asked after it.
  await Promise.all([store.delete('a'), store.put({ id: 'a', n: 4 })]);
  assert.deepEqual(store.get('a'), { id: 'a', n: 4 });
});

test('a write that throws at once still gives the record its turn back', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'records-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  let throwNow = false;
  class Throwing extends RecordStore<Rec> {
    protected override writeRecord(record: Rec, options: RecordWriteOptions): Promise<Rec> {
      if (throwNow) throw new Error('no disk');
      return super.writeRecord(record, options);
    }
  }
  const store = new Throwing(dir, isRec);
  await store.load();
  await store.put({ id: 'a', n: 1 });
  throwNow = true;
  await assert.rejects(store.put({ id: 'a', n: 2 }), /no disk/);
  throwNow = false;
  let ranAtOnce = false;
  const updated = store.update('a', (r) => ((ranAtOnce = true), { ...r, n: 3 }));
  assert.equal(ranAtOnce, true, 'nothing is under way for the record: the update applies before update() returns');
  assert.deepEqual(await updated, { id: 'a', n: 3 });
});
