// Reads a CRI log file: the last N lines, then (with follow) new lines as they are written, until
// the caller says the container is done and the file has been drained, or the request is aborted.
// A follower keeps the file open and notices a rotation by the path naming another inode (as the
// kubelet's reader does): it finishes the old file through its descriptor, reads any rotated file it
// skipped, then continues with the new one from its start, so no line is lost or read twice.
import { open, readFile, stat, watch, type FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { dirname } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { formatLogLine, LogLineAssembler, parseCriLogLine, type LogLine } from './cri-log.js';
import { listRotated } from './rotated.js';

export interface ReadLogOptions {
  readonly tail?: number;
  readonly timestamps: boolean;
  readonly follow: boolean;
  readonly signal: AbortSignal;
  /** With follow: resolves true once no more output can come (the container exited). */
  readonly isDone?: () => boolean;
}

type Write = (text: string, stream: 'stdout' | 'stderr') => void;
type Emit = (line: LogLine) => void;

/** How often a follower re-checks the file when no change event arrived (fs.watch can miss events). */
const FOLLOW_FALLBACK_POLL_MS = 250;
const CHUNK = 256 * 1024;
const gunzipAsync = promisify(gunzip);

/** One open log file and how far it has been read. */
class LogCursor {
  private position = 0;
  private carry = '';
  private constructor(
    readonly handle: FileHandle,
    readonly ino: number,
  ) {}

  static async open(path: string): Promise<LogCursor | undefined> {
    const handle = await open(path, 'r').catch(() => undefined);
    if (!handle) return undefined;
    const { ino } = await handle.stat();
    return new LogCursor(handle, ino);
  }

  /** Reads to the current end, handing each whole line (partials joined) to `emit` in batches. */
  async drain(assembler: LogLineAssembler, emit: Emit): Promise<void> {
    const buffer = Buffer.alloc(CHUNK);
    for (;;) {
      const { bytesRead } = await this.handle.read(buffer, 0, CHUNK, this.position);
      if (bytesRead === 0) return;
      this.position += bytesRead;
      const parts = (this.carry + buffer.subarray(0, bytesRead).toString('utf8')).split('\n');
      this.carry = parts.pop() ?? '';
      for (const raw of parts) {
        const entry = parseCriLogLine(raw);
        const line = entry && assembler.push(entry);
        if (line) emit(line);
      }
    }
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }
}

/** Batches consecutive lines of one stream into one write. */
function batcher(write: Write, timestamps: boolean): { emit: Emit; flush: () => void } {
  let batch = '';
  let batchStream: 'stdout' | 'stderr' = 'stdout';
  const flush = (): void => {
    if (batch !== '') write(batch, batchStream);
    batch = '';
  };
  return {
    emit: (line) => {
      if (batch !== '' && line.stream !== batchStream) flush();
      batchStream = line.stream;
      batch += formatLogLine(line, timestamps);
    },
    flush,
  };
}

export async function readLog(path: string, write: Write, options: ReadLogOptions): Promise<void> {
  const assembler = new LogLineAssembler();
  const tail = options.tail !== undefined && options.tail >= 0 ? options.tail : undefined;
  let cursor = await LogCursor.open(path);
  try {
    // Without a live file (not created yet, or renamed by a rotation that conmon has not followed yet),
    // the rotated files are still what is on disk.
    await readFirst(path, cursor, assembler, write, options.timestamps, tail);
    if (!options.follow) return;
    cursor = await follow(path, cursor, assembler, write, options);
  } finally {
    await cursor?.close();
  }
}

/** What is on disk: the rotated files (oldest first, compressed ones too), then the live one. */
async function readFirst(
  path: string,
  cursor: LogCursor | undefined,
  assembler: LogLineAssembler,
  write: Write,
  timestamps: boolean,
  tail: number | undefined,
): Promise<void> {
  if (tail === undefined) {
    const out = batcher(write, timestamps);
    await readRotatedBefore(path, cursor?.ino, assembler, out.emit);
    await cursor?.drain(assembler, out.emit);
    out.flush();
    return;
  }
  // With a tail, only the last lines are kept while reading.
  let kept: LogLine[] = [];
  const keep = (line: LogLine): void => {
    kept.push(line);
    if (kept.length > 2 * tail + 1024) kept = kept.slice(kept.length - tail);
  };
  await readRotatedBefore(path, cursor?.ino, assembler, keep);
  await cursor?.drain(assembler, keep);
  for (const line of kept.slice(Math.max(0, kept.length - tail))) write(formatLogLine(line, timestamps), line.stream);
}

/** Follows the log across rotations; returns the cursor it ends on (the caller closes it). */
async function follow(
  path: string,
  start: LogCursor | undefined,
  assembler: LogLineAssembler,
  write: Write,
  options: ReadLogOptions,
): Promise<LogCursor | undefined> {
  let cursor = start;
  const out = batcher(write, options.timestamps);
  // The directory, not the file: a rotation replaces the file. One pending next() at a time, and none
  // once the watch ended (a missing directory): the poll alone then paces the loop.
  // Its own signal, aborted on return too: a follower done with a finished container closes its watch.
  const stopWatching = new AbortController();
  const onAbort = (): void => stopWatching.abort();
  options.signal.addEventListener('abort', onAbort, { once: true });
  const watcher = watch(dirname(path), { signal: stopWatching.signal })[Symbol.asyncIterator]();
  let pending: Promise<boolean> | undefined;
  let watching = true;
  const changed = async (): Promise<void> => {
    if (watching)
      pending ??= watcher.next().then(
        (r) => r.done !== true,
        () => false,
      );
    let timer: NodeJS.Timeout | undefined;
    const poll = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), FOLLOW_FALLBACK_POLL_MS)));
    const event = pending ? pending.then((alive) => ({ alive })) : undefined;
    const winner = await Promise.race(event ? [poll.then(() => undefined), event] : [poll.then(() => undefined)]);
    clearTimeout(timer);
    if (winner) {
      pending = undefined;
      if (!winner.alive) {
        watching = false;
        await delay(FOLLOW_FALLBACK_POLL_MS);
      }
    }
  };
  try {
    while (!options.signal.aborted) {
      const done = options.isDone?.() === true;
      const current = await stat(path).catch(() => undefined);
      if (cursor && current && current.ino !== cursor.ino) {
        // Rotated: the old file gets no more lines once the path names a new one (conmon closed it first).
        // The new one is opened before looking for skipped files, so a rotation meanwhile is seen too.
        const next = await LogCursor.open(path);
        await cursor.drain(assembler, out.emit);
        await readSkipped(path, cursor.ino, next?.ino, assembler, out.emit);
        await cursor.close();
        cursor = next;
      }
      cursor ??= current ? await LogCursor.open(path) : undefined;
      if (cursor) await cursor.drain(assembler, out.emit);
      out.flush();
      if (done) return cursor;
      await changed();
    }
    return cursor;
  } finally {
    out.flush();
    options.signal.removeEventListener('abort', onAbort);
    stopWatching.abort();
  }
}

/**
 * Whole rotated files between the one with inode `ino` and the one opened next (`nextIno`): the
 * follower fell one or more rotations behind. Files already compressed or removed are beyond reach.
 */
async function readSkipped(path: string, ino: number, nextIno: number | undefined, assembler: LogLineAssembler, emit: Emit): Promise<void> {
  const rotated = (await listRotated(path)).filter((r) => !r.compressed);
  const inodes = await Promise.all(
    rotated.map((r) =>
      stat(r.path).then(
        (s) => s.ino,
        () => -1,
      ),
    ),
  );
  const mine = inodes.indexOf(ino);
  if (mine < 0) return;
  const end = nextIno === undefined ? -1 : inodes.indexOf(nextIno);
  for (const file of rotated.slice(mine + 1, end < 0 ? undefined : end)) {
    const cursor = await LogCursor.open(file.path);
    if (!cursor) continue;
    try {
      await cursor.drain(assembler, emit);
    } finally {
      await cursor.close();
    }
  }
}

/** The rotated files older than the live file with inode `liveIno` (opened before this listing). */
async function readRotatedBefore(path: string, liveIno: number | undefined, assembler: LogLineAssembler, emit: Emit): Promise<void> {
  const rotated = await listRotated(path);
  const plain = new Set(rotated.filter((r) => !r.compressed).map((r) => r.stamp));
  for (const file of rotated) {
    if (file.compressed && plain.has(file.stamp)) continue; // being compressed: the plain copy is whole
    if (file.compressed) {
      const data = await readFile(file.path).then(
        (b) => gunzipAsync(b),
        () => undefined,
      );
      if (data) emitText(data.toString('utf8'), assembler, emit);
      continue;
    }
    const cursor = await LogCursor.open(file.path);
    if (!cursor) continue;
    try {
      // The live file was rotated after it was opened: it and what follows are read through the live cursor.
      if (cursor.ino === liveIno) return;
      await cursor.drain(assembler, emit);
    } finally {
      await cursor.close();
    }
  }
}

function emitText(text: string, assembler: LogLineAssembler, emit: Emit): void {
  for (const raw of text.split('\n')) {
    const entry = parseCriLogLine(raw);
    const line = entry && assembler.push(entry);
    if (line) emit(line);
  }
}
