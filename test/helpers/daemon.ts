// Runs a real `peapod daemon` for an integration test, on the test's own roots, and stops or kills it.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { TestRoots } from './roots.js';
import { socketAnswers } from '../../src/api/server.js';
import { DAEMON_MAIN, DAEMON_MALLOC_ENV, DAEMON_NODE_FLAGS } from '../../src/cli/daemon-flags.js';
import { waitFor } from './wait.js';
import { runCli } from './cli.js';
import { runUnchecked } from '../../src/host/exec.js';

const DAEMON_START_MS = 20_000;

export interface TestDaemon {
  readonly child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

/** extraEnv: e.g. PEAPOD_FAULT for crash-injection tests. */
export async function startDaemon(roots: TestRoots, extraEnv: NodeJS.ProcessEnv = {}): Promise<TestDaemon> {
  const child = spawn(process.execPath, [...DAEMON_NODE_FLAGS, DAEMON_MAIN], {
    env: { ...DAEMON_MALLOC_ENV, ...roots.env(), ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (text += d.toString()));
  await waitFor(async () => child.exitCode === null && (await socketAnswers(roots.config.socket, 200)), {
    timeoutMs: DAEMON_START_MS, // waitFor applies timeScale()
    description: `the daemon to answer on ${roots.config.socket}`,
  }).catch((err: unknown) => {
    child.kill('SIGKILL');
    throw new Error(`${err instanceof Error ? err.message : String(err)}\ndaemon output:\n${text}`);
  });
  const waitExit = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
  };
  return {
    child,
    output: () => text,
    stop: async () => {
      child.kill('SIGTERM');
      await waitExit();
    },
    kill: async () => {
      child.kill('SIGKILL');
      await waitExit();
    },
  };
}

/** The offline busybox image: setup builds it into .cache; a test run without setup builds its own. */
export async function busyboxLayout(roots: TestRoots): Promise<string> {
  const cached = fileURLToPath(new URL('../../../.cache/busybox-oci', import.meta.url));
  try {
    await access(join(cached, 'index.json'));
    return cached;
  } catch {
    const out = join(roots.dir, 'busybox-oci');
    const script = fileURLToPath(new URL('../../scripts/build-busybox-image.js', import.meta.url));
    await runUnchecked(process.execPath, [script, '--out', out], { timeoutMs: 60_000 });
    return out;
  }
}

export async function loadBusybox(roots: TestRoots): Promise<void> {
  const layout = await busyboxLayout(roots);
  const r = await runCli(roots.env(), ['load', '-i', layout]);
  if (r.code !== 0) throw new Error(`peapod load failed: ${r.stderr}`);
}
