// `npm run bench`: every benchmark suite in one run, each figure side by side with its reference
// (the floor, podman, containerd) as a median of --runs (default 10) after one warm-up round. Writes
// bench/results/<date>.json (rows and raw samples) and bench/results/<date>.md (the table).
//   node dist/bench/run.js [--runs N] [--only pod,scale,logs,cri]
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runUnchecked } from '../src/host/exec.js';
import { markdownTable, RESULTS_DIR, type BenchRow } from './stats.js';
import type { Suite } from './suite.js';
import { podSuite } from './suites/pod.js';
import { scaleSuite } from './suites/scale.js';
import { logsSuite } from './suites/logs.js';
import { criSuite } from './suites/cri.js';

const SUITES: Readonly<Record<string, Suite>> = { pod: podSuite, scale: scaleSuite, logs: logsSuite, cri: criSuite };
const MIN_RUNS = 10;

async function versions(): Promise<Record<string, string>> {
  const out: Record<string, string> = { node: process.version, cpus: String(cpus().length), memoryGB: (totalmem() / 2 ** 30).toFixed(1) };
  for (const [name, args] of [
    ['runc', ['--version']],
    ['conmon', ['--version']],
    ['podman', ['--version']],
    ['containerd', ['--version']],
  ] as const) {
    const r = await runUnchecked(name, args).catch(() => undefined);
    out[name] = r?.code === 0 ? (r.stdout.split('\n')[0] ?? '').trim() : 'not installed';
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: String(MIN_RUNS) }, only: { type: 'string' } } });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs: "${values.runs}" is not a positive integer`);
  if (runs < MIN_RUNS) process.stderr.write(`bench: --runs ${runs} is below ${MIN_RUNS}: a quick check, not a result to publish\n`);
  const names = values.only ? values.only.split(',') : Object.keys(SUITES);
  for (const n of names) if (!SUITES[n]) throw new Error(`--only: unknown suite "${n}" (known: ${Object.keys(SUITES).join(', ')})`);
  const log = (line: string): void => void process.stderr.write(`bench: ${line}\n`);
  const rows: BenchRow[] = [];
  const raw: Record<string, unknown> = {};
  const failed: string[] = [];
  for (const name of names) {
    const dir = await mkdtemp(join(tmpdir(), `peapod-bench-${name}-`));
    const started = Date.now();
    log(`${name}: start`);
    try {
      const result = await (SUITES[name] as Suite)({ runs, dir, log });
      rows.push(...result.rows);
      raw[name] = result.raw;
      log(`${name}: done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    } catch (err) {
      failed.push(name);
      log(`${name}: FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const table = markdownTable(rows);
  const stamp = new Date().toISOString().slice(0, 19).replace(/:/g, '-');
  await mkdir(RESULTS_DIR, { recursive: true });
  const header = `# peapod benchmarks, ${new Date().toISOString()}\n\nMedian of ${runs} runs (after one warm-up round) unless a row says otherwise; memory rows are single readings. Method: bench/METHOD.md.\n\n`;
  const environment = await versions();
  await writeFile(
    join(RESULTS_DIR, `${stamp}.json`),
    `${JSON.stringify({ date: new Date().toISOString(), runs, environment, suites: names, failed, rows, raw }, null, 2)}\n`,
  );
  await writeFile(
    join(RESULTS_DIR, `${stamp}.md`),
    `${header}${table}\nEnvironment: ${Object.entries(environment)
      .map(([k, v]) => `${k} ${v}`)
      .join('; ')}\n`,
  );
  process.stdout.write(table);
  process.stdout.write(`results: ${join(RESULTS_DIR, `${stamp}.json`)} and .md\n`);
  if (failed.length > 0) {
    process.stderr.write(`bench: suites failed: ${failed.join(', ')}\n`);
    process.exitCode = 1;
  }
}

await main();
