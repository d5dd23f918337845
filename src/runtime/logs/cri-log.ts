// The CRI container log format, as conmon writes it with k8s-file and the kubelet reads it:
//   <RFC3339Nano timestamp> <stdout|stderr> <F|P> <content>
// P marks a partial line continued by the next entry; F ends the line.

export interface LogEntry {
  readonly timestamp: string;
  readonly stream: 'stdout' | 'stderr';
  readonly partial: boolean;
  readonly content: string;
}

const LINE = /^(\S+) (stdout|stderr) ([FP])(?: (.*))?$/;

export function parseCriLogLine(line: string): LogEntry | undefined {
  const m = LINE.exec(line);
  if (!m) return undefined;
  return { timestamp: m[1] ?? '', stream: m[2] === 'stderr' ? 'stderr' : 'stdout', partial: m[3] === 'P', content: m[4] ?? '' };
}

export interface LogLine {
  readonly timestamp: string;
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
}

/** Joins partial entries into whole lines, per stream, in order. */
export class LogLineAssembler {
  private readonly pending = new Map<'stdout' | 'stderr', { timestamp: string; parts: string[] }>();

  push(entry: LogEntry): LogLine | undefined {
    const current = this.pending.get(entry.stream);
    if (entry.partial) {
      if (current) current.parts.push(entry.content);
      else this.pending.set(entry.stream, { timestamp: entry.timestamp, parts: [entry.content] });
      return undefined;
    }
    if (current) {
      this.pending.delete(entry.stream);
      return { timestamp: current.timestamp, stream: entry.stream, text: current.parts.join('') + entry.content };
    }
    return { timestamp: entry.timestamp, stream: entry.stream, text: entry.content };
  }
}

export function formatLogLine(line: LogLine, timestamps: boolean): string {
  return timestamps ? `${line.timestamp} ${line.text}\n` : `${line.text}\n`;
}
