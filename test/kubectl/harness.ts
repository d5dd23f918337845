// The frame of a kubectl test: private roots whose daemon serves the Kubernetes API on a free port, the
// offline busybox image, a kubeconfig from `peapod kubeconfig`, and the real kubectl on PATH run against it.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { makeTestRoots, type TestRoots } from '../helpers/roots.js';
import { loadBusybox, startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { runCli } from '../helpers/cli.js';

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface KubectlTest {
  readonly roots: TestRoots;
  readonly daemon: TestDaemon;
  readonly kubeconfig: string;
  readonly port: number;
  /** The minor version of the kubectl on PATH (its wordings changed over releases). */
  readonly clientMinor: number;
  kubectl(args: readonly string[], options?: KubectlOptions): Promise<KubectlResult>;
  /** Runs a kubectl that does not end on its own (logs -f, get -w) until its output matches, then stops it. */
  until(args: readonly string[], pattern: RegExp, during?: () => Promise<void>): Promise<string>;
  /** Writes a file in the test's directory and returns its path. */
  file(name: string, text: string): Promise<string>;
}

const KUBECTL_TIMEOUT_MS = 60_000;

export interface KubectlOptions {
  readonly input?: string;
  readonly timeoutMs?: number;
  /** More environment (e.g. KUBE_EDITOR for kubectl edit). */
  readonly env?: NodeJS.ProcessEnv;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * kubectl's environment: the test's kubeconfig, and HOME next to it, so kubectl's discovery and HTTP
 * caches (~/.kube/cache) live in the test's directory and go with it.
 */
export function kubectlEnv(kubeconfig: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dirname(kubeconfig), KUBECONFIG: kubeconfig };
}

export function runKubectl(kubeconfig: string, args: readonly string[], options: KubectlOptions = {}): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', [...args], {
      env: { ...kubectlEnv(kubeconfig), ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? KUBECTL_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

export async function startKubectlTest(t: { after: (fn: () => Promise<void>) => void; diagnostic: (m: string) => void }): Promise<KubectlTest> {
  const port = await freePort();
  const roots = await makeTestRoots({ kubeApiPort: String(port) });
  const daemon = await startDaemon(roots);
  t.after(async () => {
    await daemon.stop().catch(() => undefined);
    await roots.cleanup();
  });
  await loadBusybox(roots);
  const config = await runCli(roots.env(), ['kubeconfig']);
  if (config.code !== 0) throw new Error(`peapod kubeconfig failed: ${config.stderr}`);
  const kubeconfig = join(roots.dir, 'kubeconfig');
  await writeFile(kubeconfig, config.stdout, { mode: 0o600 });
  const version = await runKubectl(kubeconfig, ['version', '--client']);
  t.diagnostic(`kubectl: ${version.stdout.split('\n')[0] ?? 'unknown'}`);
  const json = await runKubectl(kubeconfig, ['version', '--client', '-o', 'json']);
  const clientMinor = Number.parseInt((JSON.parse(json.stdout) as { clientVersion: { minor: string } }).clientVersion.minor, 10);
  return {
    roots,
    daemon,
    kubeconfig,
    port,
    clientMinor,
    kubectl: (args, options) => runKubectl(kubeconfig, args, options),
    until: (args, pattern, during) => runUntil(kubeconfig, args, pattern, during),
    async file(name, text) {
      const path = join(roots.dir, name);
      await writeFile(path, text);
      return path;
    },
  };
}

const UNTIL_TIMEOUT_MS = 30_000;

export async function runUntil(kubeconfig: string, args: readonly string[], pattern: RegExp, during?: () => Promise<void>): Promise<string> {
  const child = spawn('kubectl', [...args], { env: kubectlEnv(kubeconfig), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  try {
    return await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`kubectl ${args.join(' ')}: no output matching ${String(pattern)} within ${UNTIL_TIMEOUT_MS} ms:\n${output}`)),
        UNTIL_TIMEOUT_MS,
      );
      const check = (d: Buffer): void => {
        output += d.toString();
        if (pattern.test(output)) {
          clearTimeout(timer);
          resolve(output);
        }
      };
      child.stdout.on('data', check);
      child.stderr.on('data', check);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        reject(new Error(`kubectl ${args.join(' ')} ended (${String(code)}) before printing ${String(pattern)}:\n${output}`));
      });
      if (during) setTimeout(() => void during().catch(reject), 1000);
    });
  } finally {
    child.kill('SIGKILL');
  }
}
