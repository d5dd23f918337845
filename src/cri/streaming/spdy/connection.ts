// A SPDY/3 session over an upgraded socket, either end: the server accepts the streams a client opens
// (answering each SYN_STREAM with a SYN_REPLY at once, as the kubelet's streaming server does), the client
// side exists for the tests. Each stream is a Duplex: DATA frames in, DATA frames out, FIN as end().
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import {
  FrameParser,
  HeaderDeflater,
  MAX_DATA_CHUNK,
  RstStatus,
  encodeData,
  encodeGoAway,
  encodePing,
  encodeRstStream,
  encodeSynReply,
  encodeSynStream,
  type Frame,
  type SpdyHeaders,
} from './frames.js';

/** Streams one connection may have open at once: remotecommand needs 5, port-forward 2 per connection. */
const MAX_OPEN_STREAMS = 256;

export class SpdyStream extends Duplex {
  /** The peer's FIN arrived. */
  private remoteClosed = false;
  private localClosed = false;

  constructor(
    private readonly connection: SpdyConnection,
    readonly id: number,
    readonly headers: SpdyHeaders,
  ) {
    super({ allowHalfOpen: true });
    // A client that goes away mid-write fails the write (EPIPE); the session ends through 'close', and an
    // unhandled 'error' would take the whole daemon down.
    this.on('error', () => undefined);
  }

  /** The first value of a header (names are lower case). */
  header(name: string): string | undefined {
    return this.headers.get(name)?.[0];
  }

  override _read(): void {
    // No flow control in this protocol (spdystream ignores WINDOW_UPDATE): data is pushed as it arrives.
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.connection.sendData(this.id, chunk, false, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.localClosed = true;
    this.connection.sendData(this.id, Buffer.alloc(0), true, callback);
    this.maybeForget();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.localClosed || !this.remoteClosed) this.connection.reset(this.id);
    this.connection.forget(this.id);
    callback(error);
  }

  /** @internal */
  receive(data: Buffer, fin: boolean): void {
    if (this.remoteClosed) return;
    if (data.length > 0) this.push(data);
    if (fin) {
      this.remoteClosed = true;
      this.push(null);
      this.maybeForget();
    }
  }

  /** @internal */
  resetByPeer(): void {
    this.remoteClosed = true;
    this.localClosed = true;
    this.destroy(new Error(`stream ${this.id} reset by the peer`));
  }

  private maybeForget(): void {
    if (this.localClosed && this.remoteClosed) this.connection.forget(this.id);
  }
}

export interface SpdyConnectionEvents {
  stream: [SpdyStream];
  close: [];
}

export class SpdyConnection extends EventEmitter<SpdyConnectionEvents> {
  private readonly parser = new FrameParser();
  private readonly deflater = new HeaderDeflater();
  private readonly streams = new Map<number, SpdyStream>();
  private readonly replies = new Map<number, () => void>();
  private nextStreamId: number;
  private closed = false;

  constructor(
    private readonly socket: Socket,
    private readonly side: 'server' | 'client',
    head: Buffer = Buffer.alloc(0),
  ) {
    super();
    this.nextStreamId = side === 'client' ? 1 : 2;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('close', () => this.teardown());
    socket.on('error', () => this.teardown());
    if (head.length > 0) queueMicrotask(() => this.onData(head));
  }

  /** Client side: opens a stream and resolves once the peer's SYN_REPLY came. */
  openStream(headers: SpdyHeaders): Promise<SpdyStream> {
    const id = this.nextStreamId;
    this.nextStreamId += 2;
    const stream = new SpdyStream(this, id, headers);
    this.streams.set(id, stream);
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(new Error('spdy connection closed'));
        return;
      }
      this.replies.set(id, () => resolve(stream));
      this.socket.write(encodeSynStream(this.deflater, id, headers, false));
    });
  }

  sendData(streamId: number, data: Buffer, fin: boolean, callback: (error?: Error | null) => void): void {
    if (this.closed) {
      callback(new Error('spdy connection closed'));
      return;
    }
    const frames: Buffer[] = [];
    for (let offset = 0; offset < data.length; offset += MAX_DATA_CHUNK) {
      const last = offset + MAX_DATA_CHUNK >= data.length;
      frames.push(encodeData(streamId, data.subarray(offset, offset + MAX_DATA_CHUNK), fin && last));
    }
    if (data.length === 0) frames.push(encodeData(streamId, data, fin));
    this.socket.write(Buffer.concat(frames), (err) => callback(err ?? null));
  }

  reset(streamId: number): void {
    if (!this.closed) this.socket.write(encodeRstStream(streamId, RstStatus.Cancel));
  }

  forget(streamId: number): void {
    this.streams.delete(streamId);
    this.replies.delete(streamId);
  }

  /** Ends the session: GOAWAY, then the socket once what was written has been flushed. */
  close(): void {
    if (this.closed) return;
    this.socket.write(encodeGoAway(0, 0));
    this.socket.end();
    this.teardown();
  }

  destroy(): void {
    this.socket.destroy();
    this.teardown();
  }

  private teardown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const stream of this.streams.values()) stream.destroy();
    this.streams.clear();
    this.emit('close');
  }

  private onData(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.parser.push(chunk);
    } catch {
      // A peer that breaks the framing or the header compression cannot be resynchronised.
      this.socket.write(encodeGoAway(0, 1));
      this.destroy();
      return;
    }
    for (const frame of frames) this.handle(frame);
  }

  private handle(frame: Frame): void {
    switch (frame.type) {
      case 'synStream': {
        if (this.side !== 'server' || this.streams.has(frame.streamId) || this.streams.size >= MAX_OPEN_STREAMS) {
          this.socket.write(encodeRstStream(frame.streamId, RstStatus.RefusedStream));
          return;
        }
        const stream = new SpdyStream(this, frame.streamId, frame.headers);
        this.streams.set(frame.streamId, stream);
        this.socket.write(encodeSynReply(this.deflater, frame.streamId, new Map(), false));
        this.emit('stream', stream);
        if (frame.fin) stream.receive(Buffer.alloc(0), true);
        return;
      }
      case 'synReply': {
        const resolve = this.replies.get(frame.streamId);
        this.replies.delete(frame.streamId);
        resolve?.();
        if (frame.fin) this.streams.get(frame.streamId)?.receive(Buffer.alloc(0), true);
        return;
      }
      case 'data':
        this.streams.get(frame.streamId)?.receive(frame.data, frame.fin);
        return;
      case 'headers':
        if (frame.fin) this.streams.get(frame.streamId)?.receive(Buffer.alloc(0), true);
        return;
      case 'rstStream':
        this.streams.get(frame.streamId)?.resetByPeer();
        return;
      case 'ping':
        // Answer the peer's pings only (clients use odd IDs, servers even), or two ends of this code would echo forever.
        if ((frame.id % 2 === 1) === (this.side === 'server')) this.socket.write(encodePing(frame.id));
        return;
      case 'goAway':
        this.socket.end();
        return;
      case 'ignored':
        return;
    }
  }
}
