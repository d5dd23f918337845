import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PeapodError } from '../common/errors.js';
import { ContentStore, type BlobSource } from './content-store.js';
import { sha256Digest } from './digest.js';

async function store(t: TestContext): Promise<{ root: string; cs: ContentStore }> {
  const root = await mkdtemp(join(tmpdir(), 'peapod-cs-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  return { root, cs: new ContentStore(root) };
}

/** Serves `data` in chunks, honouring offsets unless told to ignore them; records what was asked. */
function source(data: Buffer, opts: { ignoreRange?: boolean; failAfter?: number } = {}): BlobSource & { offsets: number[] } {
  const offsets: number[] = [];
  return {
    offsets,
    open(offset) {
      offsets.push(offset);
      const start = opts.ignoreRange ? 0 : offset;
      const body = (async function* () {
        for (let i = start; i < data.length; i += 1000) {
          if (opts.failAfter !== undefined && i >= opts.failAfter) throw new TypeError('terminated');
          yield await Promise.resolve(data.subarray(i, Math.min(i + 1000, data.length)));
        }
      })();
      return Promise.resolve({ body, offset: start });
    },
  };
}

test('ingest verifies, stores under the digest, and reuses an existing blob', async (t) => {
  const { root, cs } = await store(t);
  const data = Buffer.from('x'.repeat(5000));
  const digest = sha256Digest(data);
  const first = await cs.ingest({ digest, size: data.length }, source(data));
  assert.equal(first.downloaded, true);
  assert.deepEqual(await readFile(cs.path(digest)), data);
  const src = source(data);
  assert.equal((await cs.ingest({ digest, size: data.length }, src)).downloaded, false);
  assert.deepEqual(src.offsets, [], 'an existing blob is not fetched again');
  assert.deepEqual(await cs.list(), [digest]);
  assert.deepEqual(await readdir(join(root, 'ingest')), []);
});

test('a digest or size mismatch is DataLoss and leaves nothing behind', async (t) => {
  const { root, cs } = await store(t);
  const data = Buffer.from('y'.repeat(3000));
  const wrong = sha256Digest('other');
  await assert.rejects(cs.ingest({ digest: wrong, size: data.length }, source(data)), (err: unknown) => {
    assert.ok(err instanceof PeapodError && err.code === 'DataLoss');
    assert.match(err.message, new RegExp(`expected ${wrong}, got ${sha256Digest(data)}`));
    return true;
  });
  await assert.rejects(cs.ingest({ digest: sha256Digest(data), size: 2000 }, source(data)), /more than the expected 2000 bytes/);
  await assert.rejects(cs.ingest({ digest: sha256Digest(data), size: 4000 }, source(data)), /size mismatch: expected 4000 bytes, got 3000/);
  assert.deepEqual(await cs.list(), []);
  assert.deepEqual(await readdir(join(root, 'ingest')), []);
});

test('an interrupted download resumes from the kept bytes; a server ignoring Range restarts it', async (t) => {
  const { root, cs } = await store(t);
  const data = Buffer.alloc(10_000, 7);
  data.write('unique', 9000);
  const expected = { digest: sha256Digest(data), size: data.length };
  await assert.rejects(cs.ingest(expected, source(data, { failAfter: 4000 })), /terminated/);
  assert.deepEqual(await readdir(join(root, 'ingest')), [`${expected.digest.slice(7)}.partial`]);
  const resumed = source(data);
  await cs.ingest(expected, resumed);
  assert.deepEqual(resumed.offsets, [4000]);
  assert.deepEqual(await readFile(cs.path(expected.digest)), data);

  await cs.remove(expected.digest);
  await assert.rejects(cs.ingest(expected, source(data, { failAfter: 3000 })), /terminated/);
  const whole = source(data, { ignoreRange: true });
  await cs.ingest(expected, whole);
  assert.deepEqual(whole.offsets, [3000]);
  assert.deepEqual(await readFile(cs.path(expected.digest)), data, 'restarted from 0, verified whole');
});

test('a corrupt partial file is caught by the whole-file digest', async (t) => {
  const { root, cs } = await store(t);
  const data = Buffer.alloc(5000, 1);
  const expected = { digest: sha256Digest(data), size: data.length };
  await mkdir(join(root, 'ingest'), { recursive: true });
  await writeFile(join(root, 'ingest', `${expected.digest.slice(7)}.partial`), Buffer.alloc(2000, 9));
  await assert.rejects(cs.ingest(expected, source(data)), (err: unknown) => err instanceof PeapodError && err.code === 'DataLoss');
  assert.deepEqual(await readdir(join(root, 'ingest')), [], 'the bad partial is deleted, so the next try starts clean');
  await cs.ingest(expected, source(data));
  assert.deepEqual(await readFile(cs.path(expected.digest)), data);
});

test('concurrent ingests of one digest share one download', async (t) => {
  const { cs } = await store(t);
  const data = Buffer.alloc(50_000, 3);
  const expected = { digest: sha256Digest(data), size: data.length };
  const src = source(data);
  const results = await Promise.all([cs.ingest(expected, src), cs.ingest(expected, src), cs.ingest(expected, src)]);
  assert.equal(src.offsets.length, 1);
  assert.equal(results.filter((r) => r.downloaded).length, 1);
});
