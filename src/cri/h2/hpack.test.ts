import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DynamicTable, decodeHuffman, encodeInt, readInt, rewriteHeaderBlock, sanitizeAuthority } from './hpack.js';
import { AuthorityRewriter } from './authority.js';

// RFC 7541 C.4.1: "www.example.com" Huffman-coded.
const WWW_EXAMPLE_HUFFMAN = Buffer.from('f1e3c2e5f23a6ba0ab90f4ff', 'hex');

test('Huffman decoding matches RFC 7541 C.4.1', () => {
  assert.equal(decodeHuffman(WWW_EXAMPLE_HUFFMAN).toString(), 'www.example.com');
  assert.throws(() => decodeHuffman(Buffer.from([0x00])), /padding/);
});

test('integers with prefixes round-trip (RFC 7541 C.1: 1337 with a 5-bit prefix)', () => {
  assert.deepEqual([...encodeInt(1337, 5, 0)], [31, 154, 10]);
  assert.deepEqual(readInt(Buffer.from([31, 154, 10]), 0, 5), [1337, 3]);
  assert.deepEqual(readInt(encodeInt(10, 5, 0), 0, 5), [10, 1]);
});

test('sanitizeAuthority replaces what nghttp2 refuses, keeping the length', () => {
  assert.equal(sanitizeAuthority(Buffer.from('/run/peapod/cri.sock'))?.toString(), '-run-peapod-cri.sock');
  assert.equal(sanitizeAuthority(Buffer.from('localhost')), undefined);
  assert.equal(sanitizeAuthority(Buffer.from('[::1]:10250')), undefined);
});

const raw = (s: string): Buffer => Buffer.concat([encodeInt(s.length, 7, 0), Buffer.from(s)]);

test('rewriteHeaderBlock fixes :authority in every representation and keeps the table in step', () => {
  const table = new DynamicTable();
  // Literal with incremental indexing, indexed name 1 (:authority), raw value; then :path indexed (4 = /).
  const first = Buffer.concat([Buffer.from([0x41]), raw('/tmp/x.sock'), Buffer.from([0x84])]);
  const rewritten = rewriteHeaderBlock(first, table);
  assert.ok(rewritten);
  assert.deepEqual(rewritten, Buffer.concat([Buffer.from([0x41]), raw('-tmp-x.sock'), Buffer.from([0x84])]));
  // The entry went into the table as index 62: a later indexed reference needs no rewrite.
  assert.equal(table.name(62), ':authority');
  assert.equal(rewriteHeaderBlock(Buffer.from([0xbe]), table), undefined);
  // Literal without indexing whose name is a new literal string.
  const literalName = Buffer.concat([Buffer.from([0x00]), raw(':authority'), raw('a/b')]);
  assert.deepEqual(rewriteHeaderBlock(literalName, table), Buffer.concat([Buffer.from([0x00]), raw(':authority'), raw('a-b')]));
  // Huffman-coded valid value: untouched.
  const valid = Buffer.concat([Buffer.from([0x41, 0x80 | WWW_EXAMPLE_HUFFMAN.length]), WWW_EXAMPLE_HUFFMAN]);
  assert.equal(rewriteHeaderBlock(valid, table), undefined);
  assert.throws(() => rewriteHeaderBlock(Buffer.concat([Buffer.from([0x7f, 0x00]), raw('v')]), new DynamicTable()), /index 63 is not in the table/);
});

test('AuthorityRewriter rewrites HEADERS frames across chunk boundaries and passes the rest', () => {
  const preface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
  const block = Buffer.concat([Buffer.from([0x41]), raw('/a/b.sock'), Buffer.from([0x84])]);
  const frame = (type: number, flags: number, payload: Buffer): Buffer => {
    const h = Buffer.alloc(9);
    h.writeUIntBE(payload.length, 0, 3);
    h[3] = type;
    h[4] = flags;
    h.writeUInt32BE(1, 5);
    return Buffer.concat([h, payload]);
  };
  const settings = frame(0x4, 0, Buffer.alloc(0));
  const headers = frame(0x1, 0x4 | 0x8, Buffer.concat([Buffer.from([2]), block, Buffer.alloc(2)]));
  const data = frame(0x0, 0x1, Buffer.from('payload /a/b.sock'));
  const input = Buffer.concat([preface, settings, headers, data]);
  const r = new AuthorityRewriter();
  const out = Buffer.concat([input.subarray(0, 7), input.subarray(7, 40), input.subarray(40)].map((c) => r.push(c)));
  const expectedBlock = Buffer.concat([Buffer.from([0x41]), raw('-a-b.sock'), Buffer.from([0x84])]);
  assert.deepEqual(out, Buffer.concat([preface, settings, frame(0x1, 0x4, expectedBlock), data]));
});
