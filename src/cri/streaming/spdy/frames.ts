// SPDY/3 frames, as the Kubernetes streaming clients speak them (moby/spdystream under client-go's
// remotecommand and portforward): 8-byte frame headers, control frames with a version bit, and header
// blocks compressed by one zlib stream per direction with the SPDY dictionary. spdystream ignores
// SETTINGS and WINDOW_UPDATE, so this codec parses them and nothing here implements flow control.
import { constants, inflateSync } from 'node:zlib';
import { PeapodError } from '../../../common/errors.js';
import { SPDY3_DICTIONARY } from './dictionary.js';

export const SPDY_VERSION = 3;
export const FLAG_FIN = 0x01;
const FLAG_UNIDIRECTIONAL = 0x02;
const CONTROL_BIT = 0x8000;
const FRAME_HEADER_BYTES = 8;
/** Frame lengths are 24 bits; a peer sending more than this in one frame is broken or hostile. */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024 - 1;
/** What one DATA frame carries when we send: small enough to interleave streams. */
export const MAX_DATA_CHUNK = 32 * 1024;
/** Compressed header bytes one connection may send in total: a handful of streams need a few KB. */
const MAX_HEADER_HISTORY_BYTES = 1024 * 1024;

export const ControlType = {
  SynStream: 1,
  SynReply: 2,
  RstStream: 3,
  Settings: 4,
  Ping: 6,
  GoAway: 7,
  Headers: 8,
  WindowUpdate: 9,
} as const;

export const RstStatus = { ProtocolError: 1, InvalidStream: 2, RefusedStream: 3, Cancel: 5, InternalError: 6 } as const;

/** Header names are lower case on the wire; a name may carry several values. */
export type SpdyHeaders = ReadonlyMap<string, readonly string[]>;

export type Frame =
  | { readonly type: 'data'; readonly streamId: number; readonly fin: boolean; readonly data: Buffer }
  | { readonly type: 'synStream'; readonly streamId: number; readonly fin: boolean; readonly unidirectional: boolean; readonly headers: SpdyHeaders }
  | { readonly type: 'synReply'; readonly streamId: number; readonly fin: boolean; readonly headers: SpdyHeaders }
  | { readonly type: 'headers'; readonly streamId: number; readonly fin: boolean; readonly headers: SpdyHeaders }
  | { readonly type: 'rstStream'; readonly streamId: number; readonly status: number }
  | { readonly type: 'ping'; readonly id: number }
  | { readonly type: 'goAway'; readonly lastGoodStreamId: number; readonly status: number }
  | { readonly type: 'ignored'; readonly controlType: number };

function protocolError(message: string): PeapodError {
  return new PeapodError('InvalidArgument', `spdy: ${message}`);
}

/**
 * Inflates each header block in the context of all earlier ones (the sender's zlib stream spans the
 * connection). Node has no synchronous streaming inflate, so the whole compressed history is inflated
 * again and only the new output is returned: header blocks are few and small, and the history is capped.
 */
export class HeaderInflater {
  private history: Buffer = Buffer.alloc(0);
  private produced = 0;

  inflate(block: Buffer): Buffer {
    this.history = Buffer.concat([this.history, block]);
    if (this.history.length > MAX_HEADER_HISTORY_BYTES) throw protocolError(`more than ${MAX_HEADER_HISTORY_BYTES} bytes of compressed headers`);
    let out: Buffer;
    try {
      out = inflateSync(this.history, { dictionary: SPDY3_DICTIONARY, finishFlush: constants.Z_SYNC_FLUSH });
    } catch (err) {
      throw protocolError(`header block does not decompress (${err instanceof Error ? err.message : String(err)})`);
    }
    const fresh = out.subarray(this.produced);
    this.produced = out.length;
    return fresh;
  }
}

/**
 * Compresses header blocks as one zlib stream made of stored (uncompressed) deflate blocks: valid zlib
 * that any inflater reads, deterministic, and with no state but "has the stream header been sent".
 */
export class HeaderDeflater {
  private started = false;

  deflate(block: Buffer): Buffer {
    const parts: Buffer[] = [];
    if (!this.started) {
      // CMF 0x78 (deflate, 32K window), FLG 0x20 (FDICT; 0x7820 is a multiple of 31), then the dictionary's Adler-32.
      const header = Buffer.from([0x78, 0x20, 0, 0, 0, 0]);
      header.writeUInt32BE(adler32(SPDY3_DICTIONARY), 2);
      parts.push(header);
      this.started = true;
    }
    for (let offset = 0; offset < block.length; offset += 0xffff) parts.push(storedBlock(block.subarray(offset, offset + 0xffff)));
    // Then an empty stored block, as Z_SYNC_FLUSH ends its output: Go's inflater (spdystream's) hands out
    // what it has decoded only when it reaches one, so without it the peer waits for more header bytes.
    parts.push(storedBlock(Buffer.alloc(0)));
    return Buffer.concat(parts);
  }
}

/** A non-final stored deflate block: BFINAL=0, BTYPE=00 padded to the byte, then LEN and its one's complement (little endian). */
function storedBlock(data: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt16LE(data.length, 1);
  head.writeUInt16LE(~data.length & 0xffff, 3);
  return Buffer.concat([head, data]);
}

export function adler32(data: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of data) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

export function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const parts: Buffer[] = [u32(headers.size)];
  for (const [name, values] of headers) {
    const n = Buffer.from(name.toLowerCase(), 'utf8');
    const v = Buffer.from(values.join('\0'), 'utf8');
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(block: Buffer): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  let at = 0;
  const take = (n: number): Buffer => {
    if (at + n > block.length) throw protocolError('truncated header block');
    const out = block.subarray(at, at + n);
    at += n;
    return out;
  };
  const count = take(4).readUInt32BE(0);
  for (let i = 0; i < count; i++) {
    const name = take(take(4).readUInt32BE(0)).toString('utf8');
    const value = take(take(4).readUInt32BE(0)).toString('utf8');
    if (name === '' || name !== name.toLowerCase()) throw protocolError(`header name ${JSON.stringify(name)} is empty or not lower case`);
    if (headers.has(name)) throw protocolError(`header ${JSON.stringify(name)} appears twice`);
    headers.set(name, value.split('\0'));
  }
  return headers;
}

function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return b;
}

function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(FRAME_HEADER_BYTES);
  head.writeUInt16BE(CONTROL_BIT | SPDY_VERSION, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE(((flags & 0xff) << 24) | payload.length, 4);
  return Buffer.concat([head, payload]);
}

export function encodeData(streamId: number, data: Buffer, fin: boolean): Buffer {
  const head = Buffer.alloc(FRAME_HEADER_BYTES);
  head.writeUInt32BE(streamId & 0x7fffffff, 0);
  head.writeUInt32BE(((fin ? FLAG_FIN : 0) << 24) | data.length, 4);
  return Buffer.concat([head, data]);
}

export function encodeSynStream(deflater: HeaderDeflater, streamId: number, headers: SpdyHeaders, fin: boolean): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt32BE(streamId, 0);
  // Associated-To-Stream-ID 0, priority 0, slot 0.
  return controlFrame(ControlType.SynStream, fin ? FLAG_FIN : 0, Buffer.concat([fixed, deflater.deflate(encodeHeaderBlock(headers))]));
}

export function encodeSynReply(deflater: HeaderDeflater, streamId: number, headers: SpdyHeaders, fin: boolean): Buffer {
  return controlFrame(ControlType.SynReply, fin ? FLAG_FIN : 0, Buffer.concat([u32(streamId), deflater.deflate(encodeHeaderBlock(headers))]));
}

export function encodeRstStream(streamId: number, status: number): Buffer {
  return controlFrame(ControlType.RstStream, 0, Buffer.concat([u32(streamId), u32(status)]));
}

export function encodePing(id: number): Buffer {
  return controlFrame(ControlType.Ping, 0, u32(id));
}

export function encodeGoAway(lastGoodStreamId: number, status: number): Buffer {
  return controlFrame(ControlType.GoAway, 0, Buffer.concat([u32(lastGoodStreamId), u32(status)]));
}

/** Splits a byte stream into frames; header blocks are inflated here, in arrival order as zlib needs. */
export class FrameParser {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly inflater = new HeaderInflater();

  push(chunk: Buffer): Frame[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const frames: Frame[] = [];
    while (this.buffer.length >= FRAME_HEADER_BYTES) {
      const length = this.buffer.readUInt32BE(4) & 0xffffff;
      if (this.buffer.length < FRAME_HEADER_BYTES + length) break;
      const head = this.buffer.subarray(0, FRAME_HEADER_BYTES);
      const payload = this.buffer.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + length);
      this.buffer = this.buffer.subarray(FRAME_HEADER_BYTES + length);
      frames.push(this.parse(head, Buffer.from(payload)));
    }
    return frames;
  }

  private parse(head: Buffer, payload: Buffer): Frame {
    const flags = head.readUInt8(4);
    const fin = (flags & FLAG_FIN) !== 0;
    if ((head.readUInt8(0) & 0x80) === 0) return { type: 'data', streamId: head.readUInt32BE(0) & 0x7fffffff, fin, data: payload };
    const version = head.readUInt16BE(0) & 0x7fff;
    if (version !== SPDY_VERSION) throw protocolError(`version ${version} frames are not supported (SPDY/3 only)`);
    const type = head.readUInt16BE(2);
    const need = (n: number): void => {
      if (payload.length < n) throw protocolError(`control frame ${type} is ${payload.length} bytes, needs ${n}`);
    };
    switch (type) {
      case ControlType.SynStream:
        need(10);
        return {
          type: 'synStream',
          streamId: payload.readUInt32BE(0) & 0x7fffffff,
          fin,
          unidirectional: (flags & FLAG_UNIDIRECTIONAL) !== 0,
          headers: decodeHeaderBlock(this.inflater.inflate(payload.subarray(10))),
        };
      case ControlType.SynReply:
      case ControlType.Headers: {
        need(4);
        const headers = decodeHeaderBlock(this.inflater.inflate(payload.subarray(4)));
        const streamId = payload.readUInt32BE(0) & 0x7fffffff;
        return type === ControlType.SynReply ? { type: 'synReply', streamId, fin, headers } : { type: 'headers', streamId, fin, headers };
      }
      case ControlType.RstStream:
        need(8);
        return { type: 'rstStream', streamId: payload.readUInt32BE(0) & 0x7fffffff, status: payload.readUInt32BE(4) };
      case ControlType.Ping:
        need(4);
        return { type: 'ping', id: payload.readUInt32BE(0) };
      case ControlType.GoAway:
        need(4);
        return { type: 'goAway', lastGoodStreamId: payload.readUInt32BE(0) & 0x7fffffff, status: payload.length >= 8 ? payload.readUInt32BE(4) : 0 };
      default:
        return { type: 'ignored', controlType: type };
    }
  }
}
