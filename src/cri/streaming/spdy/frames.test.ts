import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync, constants, createDeflate } from 'node:zlib';
import { SPDY3_DICTIONARY } from './dictionary.js';
import {
  FrameParser,
  HeaderDeflater,
  adler32,
  decodeHeaderBlock,
  encodeData,
  encodeGoAway,
  encodeHeaderBlock,
  encodePing,
  encodeRstStream,
  encodeSynReply,
  encodeSynStream,
} from './frames.js';

const h = (entries: Record<string, string | string[]>): Map<string, string[]> =>
  new Map(Object.entries(entries).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));

test('the SPDY/3 dictionary is the spec one: 1423 bytes, Adler-32 0xe3c6a7c2', () => {
  assert.equal(SPDY3_DICTIONARY.length, 1423);
  assert.equal(adler32(SPDY3_DICTIONARY), 0xe3c6a7c2);
  assert.equal(adler32(Buffer.from('Wikipedia')), 0x11e60398);
});

test('header blocks: count, then length-prefixed lower-case names and NUL-joined values', () => {
  const block = encodeHeaderBlock(h({ streamtype: 'error', multi: ['a', 'b'] }));
  assert.equal(
    block.toString('hex'),
    '00000002' +
      '0000000a' +
      Buffer.from('streamtype').toString('hex') +
      '00000005' +
      Buffer.from('error').toString('hex') +
      '00000005' +
      Buffer.from('multi').toString('hex') +
      '00000003' +
      Buffer.from('a\0b').toString('hex'),
  );
  assert.deepEqual(decodeHeaderBlock(block), h({ streamtype: 'error', multi: ['a', 'b'] }));
  assert.throws(() => decodeHeaderBlock(block.subarray(0, 10)), /truncated/);
  assert.throws(() => decodeHeaderBlock(encodeHeaderBlock(new Map([['X', ['1']]])).fill(0x58, 8, 9)), /lower case/);
});

test('our header compression is zlib with the dictionary and a sync-flush marker after every block', () => {
  const deflater = new HeaderDeflater();
  const first = deflater.deflate(Buffer.from('abc'));
  assert.equal(first.subarray(0, 2).toString('hex'), '7820');
  assert.equal(first.readUInt32BE(2), 0xe3c6a7c2);
  assert.equal(first.subarray(-5).toString('hex'), '000000ffff');
  const second = deflater.deflate(Buffer.from('de'));
  assert.equal(second.toString('hex'), '000200fdff6465000000ffff');
});

test('frames round-trip through the parser, split at every byte boundary', () => {
  const deflater = new HeaderDeflater();
  const wire = Buffer.concat([
    encodeSynStream(deflater, 1, h({ streamtype: 'stdin', port: '80' }), false),
    encodeSynReply(deflater, 1, new Map(), false),
    encodeData(1, Buffer.from('hello'), false),
    encodeData(1, Buffer.alloc(0), true),
    encodeRstStream(3, 5),
    encodePing(7),
    encodeGoAway(9, 0),
  ]);
  for (const cut of [1, 7, 8, 9, 30, wire.length - 1]) {
    const parser = new FrameParser();
    const frames = [...parser.push(wire.subarray(0, cut)), ...parser.push(wire.subarray(cut))];
    assert.deepEqual(
      frames.map((f) => f.type),
      ['synStream', 'synReply', 'data', 'data', 'rstStream', 'ping', 'goAway'],
      `cut at ${cut}`,
    );
    const [syn, , data, fin, rst, ping, away] = frames;
    assert.deepEqual(syn?.type === 'synStream' && [...syn.headers], [
      ['streamtype', ['stdin']],
      ['port', ['80']],
    ]);
    assert.equal(data?.type === 'data' && data.data.toString(), 'hello');
    assert.equal(fin?.type === 'data' && fin.fin, true);
    assert.deepEqual(rst, { type: 'rstStream', streamId: 3, status: 5 });
    assert.deepEqual(ping, { type: 'ping', id: 7 });
    assert.deepEqual(away, { type: 'goAway', lastGoodStreamId: 9, status: 0 });
  }
});

test('header blocks compressed by a real zlib (as Go clients send them) are inflated across frames', async () => {
  // One zlib stream with the dictionary, sync-flushed after each block: what spdystream's framer does.
  const deflate = createDeflate({ dictionary: SPDY3_DICTIONARY });
  const chunks: Buffer[] = [];
  deflate.on('data', (c: Buffer) => chunks.push(c));
  const flushed = async (data: Buffer): Promise<Buffer> => {
    chunks.length = 0;
    deflate.write(data);
    await new Promise<void>((resolve) => deflate.flush(constants.Z_SYNC_FLUSH, () => resolve()));
    return Buffer.concat(chunks);
  };
  const syn = (id: number, compressed: Buffer): Buffer => {
    const head = Buffer.alloc(18);
    head.writeUInt16BE(0x8003, 0);
    head.writeUInt16BE(1, 2);
    head.writeUInt32BE(10 + compressed.length, 4);
    head.writeUInt32BE(id, 8);
    return Buffer.concat([head, compressed]);
  };
  const parser = new FrameParser();
  const a = parser.push(syn(1, await flushed(encodeHeaderBlock(h({ streamtype: 'error' })))));
  const b = parser.push(syn(3, await flushed(encodeHeaderBlock(h({ streamtype: 'stdout' })))));
  deflate.close();
  assert.deepEqual(a[0]?.type === 'synStream' && [...a[0].headers], [['streamtype', ['error']]]);
  assert.deepEqual(b[0]?.type === 'synStream' && [...b[0].headers], [['streamtype', ['stdout']]]);
});

test('broken input is refused, not guessed at', () => {
  const wrongVersion = encodePing(1);
  wrongVersion.writeUInt16BE(0x8002, 0);
  assert.throws(() => new FrameParser().push(wrongVersion), /version 2/);
  const garbage = Buffer.concat([Buffer.from('800300010000000e', 'hex'), Buffer.alloc(10), Buffer.from('ffffffff', 'hex')]);
  assert.throws(() => new FrameParser().push(garbage), /does not decompress/);
  const truncated = Buffer.concat([Buffer.from('800300010000000c', 'hex'), Buffer.alloc(10), deflateSync(Buffer.from('x')).subarray(0, 2)]);
  assert.throws(() => new FrameParser().push(truncated), /truncated header block/);
  const short = Buffer.from('8003000300000002abcd', 'hex');
  assert.throws(() => new FrameParser().push(short), /needs 8/);
});
