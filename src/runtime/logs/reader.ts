// Reads a CRI log file: the last N lines, then (with follow) new lines as they are written, until
// the caller says the container is done and the file has been drained, or the request is aborted.
import { open, stat, watch } from 'node:fs/promises';
import { formatLogLine, LogLineAssembler, parseCriLogLine } from './cri-log.js';

export interface ReadLogOptions {
  readonly tail?: number;
  readonly timestamps: boolean;
  readonly follow: boolean;
  readonly signal: AbortSignal;
  /** With follow: resolves true once no more output can come (the container exited). */
  readonly isDone?: () => boolean;
}

/** How often a follower re-checks the file when no change event arrived (fs.watch can miss events). */
const FOLLOW_FALLBACK_POLL_MS = 250;
const CHUNK = 64 * 1024;

export async function readLog(path: string, write: (text: string, stream: 'stdout' | 'stderr') => void, options: ReadLogOptions): Promise<void> {
  const assembler = new LogLineAssembler();
  let position = 0;
  let carry = '';
  const tail = options.tail !== undefined && options.tail >= 0 ? options.tail : undefined;
  // With a tail, the first read keeps only the last lines; otherwise lines go out as they are read,
  // joined per run of one stream so a big log is a few large writes rather than one per line.
  let kept: { text: string; stream: 'stdout' | 'stderr' }[] = [];
  const drain = async (collect: boolean): Promise<void> => {
    const handle = await open(path, 'r').catch(() => undefined);
    if (!handle) return;
    try {
      const buffer = Buffer.alloc(CHUNK);
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, CHUNK, position);
        if (bytesRead === 0) break;
        position += bytesRead;
        const text = carry + buffer.subarray(0, bytesRead).toString('utf8');
        const parts = text.split('\n');
        carry = parts.pop() ?? '';
        let batch = '';
        let batchStream: 'stdout' | 'stderr' = 'stdout';
        for (const raw of parts) {
          const entry = parseCriLogLine(raw);
          const line = entry && assembler.push(entry);
          if (!line) continue;
          const formatted = formatLogLine(line, options.timestamps);
          if (collect && tail !== undefined) {
            kept.push({ text: formatted, stream: line.stream });
            if (kept.length > 2 * tail + CHUNK) kept = kept.slice(kept.length - tail);
            continue;
          }
          if (batch !== '' && line.stream !== batchStream) {
            write(batch, batchStream);
            batch = '';
          }
          batchStream = line.stream;
          batch += formatted;
        }
        if (batch !== '') write(batch, batchStream);
      }
    } finally {
      await handle.close();
    }
  };
  await drain(true);
  if (tail !== undefined) for (const line of kept.slice(Math.max(0, kept.length - tail))) write(line.text, line.stream);
  kept = [];
  if (!options.follow) return;
  const watcher = watch(path, { signal: options.signal })[Symbol.asyncIterator]();
  const changed = async (): Promise<void> => {
    const timer = new Promise((resolve) => setTimeout(resolve, FOLLOW_FALLBACK_POLL_MS));
    const next = watcher.next().catch(() => undefined);
    await Promise.race([timer, next]);
  };
  while (!options.signal.aborted) {
    const size = await stat(path).then((s) => s.size, () => position);
    if (size > position) await drain(false);
    else if (options.isDone?.()) {
      await drain(false);
      return;
    } else await changed();
  }
}
