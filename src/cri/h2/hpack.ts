// Just enough HPACK (RFC 7541) to rewrite one header in request header blocks: a decoder-side mirror of
// the dynamic table, and a pass over each block that copies every field verbatim except an :authority
// value that Node's HTTP/2 server would refuse, which is replaced by a sanitised value of the same length
// (so both dynamic tables keep identical sizes and the client's later indices stay right).
import { HUFFMAN_CODES, HUFFMAN_LENGTHS, STATIC_TABLE_NAMES } from './hpack-tables.js';

/** RFC 7541 §4.1: an entry's size is its name and value lengths plus 32. */
const ENTRY_OVERHEAD = 32;
/** RFC 7540 §6.5.2: SETTINGS_HEADER_TABLE_SIZE starts at 4096 (Node's server keeps the default). */
export const DEFAULT_TABLE_SIZE = 4096;
const EOS = 256;

export class HpackError extends Error {}

const huffmanDecode = new Map<string, number>();
for (let sym = 0; sym < HUFFMAN_CODES.length; sym++) huffmanDecode.set(`${HUFFMAN_LENGTHS[sym] ?? 0}:${HUFFMAN_CODES[sym] ?? 0}`, sym);
/** The longest code is 30 bits (RFC 7541 Appendix B). */
const MAX_CODE_BITS = 30;

export function decodeHuffman(data: Buffer): Buffer {
  const out: number[] = [];
  let code = 0;
  let bits = 0;
  for (const byte of data) {
    for (let i = 7; i >= 0; i--) {
      code = code * 2 + ((byte >> i) & 1);
      bits++;
      const sym = huffmanDecode.get(`${bits}:${code}`);
      if (sym !== undefined) {
        if (sym === EOS) throw new HpackError('EOS in a Huffman string');
        out.push(sym);
        code = 0;
        bits = 0;
      } else if (bits > MAX_CODE_BITS) {
        throw new HpackError('invalid Huffman code');
      }
    }
  }
  // Padding: at most 7 bits, all ones (the EOS prefix).
  if (bits > 7 || code !== 2 ** bits - 1) throw new HpackError('invalid Huffman padding');
  return Buffer.from(out);
}

export function readInt(buf: Buffer, pos: number, prefixBits: number): [number, number] {
  const max = 2 ** prefixBits - 1;
  const first = buf[pos];
  if (first === undefined) throw new HpackError('truncated integer');
  let value = first & max;
  let p = pos + 1;
  if (value < max) return [value, p];
  let shift = 0;
  for (;;) {
    const b = buf[p++];
    if (b === undefined || shift > 28) throw new HpackError('truncated or oversized integer');
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return [value, p];
  }
}

export function encodeInt(value: number, prefixBits: number, flags: number): Buffer {
  const max = 2 ** prefixBits - 1;
  if (value < max) return Buffer.from([flags | value]);
  const out = [flags | max];
  let rest = value - max;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
  return Buffer.from(out);
}

function readString(buf: Buffer, pos: number): [Buffer, number] {
  const huffman = ((buf[pos] ?? 0) & 0x80) !== 0;
  const [length, start] = readInt(buf, pos, 7);
  const end = start + length;
  if (end > buf.length) throw new HpackError('truncated string');
  const raw = buf.subarray(start, end);
  return [huffman ? decodeHuffman(raw) : Buffer.from(raw), end];
}

/** nghttp2's check_authority: unreserved, sub-delims, ':', '@', '%', '[' and ']'. */
const AUTHORITY_CHAR = /^[A-Za-z0-9\-._~!$&'()*+,;=:@%[\]]$/;
const REPLACEMENT = 0x2d; // '-'

export function sanitizeAuthority(value: Buffer): Buffer | undefined {
  let changed = false;
  const out = Buffer.from(value);
  for (let i = 0; i < out.length; i++) {
    if (!AUTHORITY_CHAR.test(String.fromCharCode(out[i] ?? 0))) {
      out[i] = REPLACEMENT;
      changed = true;
    }
  }
  return changed ? out : undefined;
}

/** The decoder's dynamic table, names only (values are never looked up), newest first. */
export class DynamicTable {
  private entries: { name: string; size: number }[] = [];
  private size = 0;

  constructor(private maxSize = DEFAULT_TABLE_SIZE) {}

  name(index: number): string {
    if (index >= 1 && index <= STATIC_TABLE_NAMES.length) return STATIC_TABLE_NAMES[index - 1] ?? '';
    const entry = this.entries[index - STATIC_TABLE_NAMES.length - 1];
    if (!entry) throw new HpackError(`header index ${index} is not in the table`);
    return entry.name;
  }

  add(name: string, valueLength: number): void {
    const size = name.length + valueLength + ENTRY_OVERHEAD;
    this.evictTo(this.maxSize - size);
    if (size > this.maxSize) return;
    this.entries.unshift({ name, size });
    this.size += size;
  }

  resize(maxSize: number): void {
    this.maxSize = maxSize;
    this.evictTo(maxSize);
  }

  private evictTo(limit: number): void {
    while (this.size > Math.max(0, limit) && this.entries.length > 0) this.size -= this.entries.pop()?.size ?? 0;
    if (this.entries.length === 0) this.size = 0;
  }
}

/**
 * Walks a complete header block; returns a new block when an :authority value was rewritten, undefined
 * when the block can go through unchanged. The table is updated either way.
 */
export function rewriteHeaderBlock(block: Buffer, table: DynamicTable): Buffer | undefined {
  const parts: Buffer[] = [];
  let changed = false;
  let pos = 0;
  while (pos < block.length) {
    const b = block[pos] ?? 0;
    const start = pos;
    if (b & 0x80) {
      pos = readInt(block, pos, 7)[1];
    } else if ((b & 0xe0) === 0x20) {
      const [size, next] = readInt(block, pos, 5);
      table.resize(size);
      pos = next;
    } else {
      const indexing = (b & 0xc0) === 0x40;
      const [index, afterIndex] = readInt(block, pos, indexing ? 6 : 4);
      let name: string;
      let valueStart = afterIndex;
      if (index === 0) {
        const [nameBytes, next] = readString(block, afterIndex);
        name = nameBytes.toString('latin1');
        valueStart = next;
      } else {
        name = table.name(index);
      }
      const [value, end] = readString(block, valueStart);
      const sanitized = name === ':authority' ? sanitizeAuthority(value) : undefined;
      if (sanitized) {
        parts.push(block.subarray(start, valueStart), encodeInt(sanitized.length, 7, 0), sanitized);
        changed = true;
      } else {
        parts.push(block.subarray(start, end));
      }
      if (indexing) table.add(name, value.length);
      pos = end;
      continue;
    }
    parts.push(block.subarray(start, pos));
  }
  return changed ? Buffer.concat(parts) : undefined;
}
