// Runs the real CLI (bin/peapod) as a child process, the way a user does, with a deadline.
import { fileURLToPath } from 'node:url';
import { runUnchecked } from '../../src/host/exec.js';
import { timeScale } from './wait.js';

/** bin/peapod of this checkout (this file runs from dist/test/helpers/). */
export const PEAPOD_BIN = fileURLToPath(new URL('../../../bin/peapod', import.meta.url));

export const CLI_TIMEOUT_MS = 60_000;

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(
  env: NodeJS.ProcessEnv,
  args: readonly string[],
  options: { input?: string; timeoutMs?: number; cwd?: string } = {},
): Promise<CliResult> {
  const r = await runUnchecked(process.execPath, [PEAPOD_BIN, ...args], {
    env,
    timeoutMs: (options.timeoutMs ?? CLI_TIMEOUT_MS) * timeScale(),
    ...(options.input === undefined ? {} : { input: options.input }),
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  return { code: r.signal === null ? r.code : 128, stdout: r.stdout, stderr: r.stderr };
}
