// Why this exists: gRPC clients in Go before k8s.io/cri-api's fix (kubernetes#123463; kubelets before
// 1.31, crictl 1.26) dial a unix socket with the socket's path as HTTP/2 :authority. Node's HTTP/2 server
// (nghttp2) refuses '/' in :authority with RST_STREAM PROTOCOL_ERROR, and grpc-js offers no switch.
// So each accepted connection passes through this filter before grpc-js sees it: client→server frames
// are parsed and the :authority of HEADERS is made valid (see hpack.ts); everything else is untouched.
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { DynamicTable, rewriteHeaderBlock } from './hpack.js';

/** RFC 7540 §3.5: the client connection preface. */
const PREFACE_LENGTH = 24;
const FRAME_HEADER_LENGTH = 9;
const TYPE_HEADERS = 0x1;
const FLAG_END_HEADERS = 0x4;
const FLAG_PADDED = 0x8;
const FLAG_PRIORITY = 0x20;
const PRIORITY_FIELDS_LENGTH = 5;
/** RFC 7540 §6.5.2: SETTINGS_MAX_FRAME_SIZE default, which Node's server keeps. */
const MAX_FRAME_SIZE = 16_384;

export class AuthorityRewriter {
  private pending = Buffer.alloc(0);
  private prefaceLeft = PREFACE_LENGTH;
  private readonly table = new DynamicTable();
  /** After anything we cannot follow (a header block split over CONTINUATION frames), bytes pass as they are. */
  private passthrough = false;

  push(chunk: Buffer): Buffer {
    if (this.passthrough) return chunk;
    let data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: Buffer[] = [];
    if (this.prefaceLeft > 0) {
      const take = Math.min(this.prefaceLeft, data.length);
      out.push(data.subarray(0, take));
      this.prefaceLeft -= take;
      data = data.subarray(take);
    }
    let pos = 0;
    while (!this.passthrough && data.length - pos >= FRAME_HEADER_LENGTH) {
      const length = data.readUIntBE(pos, 3);
      const end = pos + FRAME_HEADER_LENGTH + length;
      if (end > data.length) break;
      out.push(this.frame(data.subarray(pos, end)));
      pos = end;
    }
    if (this.passthrough) {
      out.push(data.subarray(pos));
      this.pending = Buffer.alloc(0);
    } else {
      this.pending = Buffer.from(data.subarray(pos));
    }
    return Buffer.concat(out);
  }

  private frame(frame: Buffer): Buffer {
    const type = frame[3];
    const flags = frame[4] ?? 0;
    if (type !== TYPE_HEADERS) return frame;
    if ((flags & FLAG_END_HEADERS) === 0) {
      this.passthrough = true;
      return frame;
    }
    const payload = frame.subarray(FRAME_HEADER_LENGTH);
    let start = 0;
    let end = payload.length;
    if (flags & FLAG_PADDED) {
      end -= payload[0] ?? 0;
      start = 1;
    }
    const priority = flags & FLAG_PRIORITY ? payload.subarray(start, start + PRIORITY_FIELDS_LENGTH) : Buffer.alloc(0);
    start += priority.length;
    let block: Buffer | undefined;
    try {
      block = rewriteHeaderBlock(payload.subarray(start, end), this.table);
    } catch {
      // A block we cannot parse goes to the server as sent: it will judge it.
      this.passthrough = true;
      return frame;
    }
    if (block === undefined) return frame;
    const newPayload = Buffer.concat([priority, block]);
    if (newPayload.length > MAX_FRAME_SIZE) return frame;
    const header = Buffer.from(frame.subarray(0, FRAME_HEADER_LENGTH));
    header.writeUIntBE(newPayload.length, 0, 3);
    header[4] = flags & ~FLAG_PADDED;
    return Buffer.concat([header, newPayload]);
  }
}

/** The socket as grpc-js sees it: reads go through the rewriter, writes go straight out. */
export class AuthorityFixingConnection extends Duplex {
  private readonly rewriter = new AuthorityRewriter();

  constructor(private readonly socket: Socket) {
    super();
    socket.on('data', (chunk: Buffer) => {
      const out = this.rewriter.push(chunk);
      if (out.length > 0 && !this.push(out)) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('error', (err) => this.destroy(err));
    socket.on('close', () => this.destroy());
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.socket.write(chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.socket.end(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.socket.destroy();
    callback(error);
  }
}
