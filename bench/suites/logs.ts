// Log throughput: how many lines a container can write through conmon into its CRI log (N lines over the
// span between the first and the last line's CRI timestamp, which conmon stamps as it reads), and how
// many `peapod logs` reads back.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../../test/helpers/cli.js';
import { median, timeIt, type BenchRow } from '../stats.js';
import type { Suite } from '../suite.js';
import { startBenchDaemon } from './peapod.js';

const LINES = 500_000;
const LINE = 'peapod log throughput benchmark line 0123456789';
const LONG_MS = 300_000;

function writerPod(name: string, lines: number): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  restartPolicy: Never
  containers:
    - name: w
      image: docker.io/library/busybox:latest
      imagePullPolicy: IfNotPresent
      command: ["sh", "-c", "yes '${LINE}' | head -n ${lines}"]
`;
}

/** "2026-12-01T14:16:02.123456789Z line" → milliseconds (sub-millisecond digits kept). */
function timestampMs(line: string | undefined): number {
  const match = /^(\S+?)(?:\.(\d+))?(Z|[+-]\d\d:\d\d) /.exec(line ?? '');
  if (!match) throw new Error(`no RFC 3339 timestamp at the start of ${JSON.stringify(line?.slice(0, 60))}`);
  const whole = Date.parse(`${match[1]}${match[3]}`);
  return whole + Number(`0.${match[2] ?? '0'}`) * 1000;
}

export const logsSuite: Suite = async ({ runs, dir, log }) => {
  const peapod = await startBenchDaemon();
  const full = join(dir, 'writer.yaml');
  await writeFile(full, writerPod('writer', LINES));
  const write: number[] = [];
  const read: number[] = [];
  try {
    for (let i = -1; i < runs; i++) {
      await peapod.cli(['apply', '-f', full, '--wait'], LONG_MS);
      let lines: string[] = [];
      const readMs = await timeIt(async () => {
        const r = await runCli(peapod.roots.env(), ['logs', 'writer', '--timestamps'], { timeoutMs: LONG_MS });
        lines = r.stdout.split('\n');
      });
      lines.pop();
      if (lines.length !== LINES) throw new Error(`peapod logs returned ${lines.length} lines, the container wrote ${LINES}`);
      const spanMs = timestampMs(lines.at(-1)) - timestampMs(lines[0]);
      await peapod.cli(['delete', 'pod', 'writer']);
      if (i >= 0) {
        write.push(LINES / (Math.max(spanMs, 1) / 1000));
        read.push(LINES / (readMs / 1000));
      }
      log(`logs: round ${i + 2}/${runs + 1}`);
    }
  } catch (err) {
    log(`${err instanceof Error ? err.message : String(err)}`);
    throw err;
  } finally {
    await peapod.close();
  }
  const rows: BenchRow[] = [
    {
      name: `log capture (container → CRI log, ${LINES.toLocaleString('en-US')} lines of ${LINE.length + 1} B)`,
      unit: 'lines/s',
      value: median(write),
      samples: runs,
    },
    { name: 'log read-back (peapod logs)', unit: 'lines/s', value: median(read), samples: runs },
  ];
  return { rows, raw: { write, read } };
};
