// One probe attempt, as the kubelet's prober does it (pkg/kubelet/prober/prober.go): exec inside the
// container, HTTP GET or TCP connect to the pod IP (the kubelet reaches pods from the node), each under
// the probe's timeout. A failed check is a result, not an error.
import { connect } from 'node:net';
import type { Probe } from '../../kube/types.js';

export type ProbeResult = 'success' | 'failure';

export interface ProbeOutcome {
  readonly result: ProbeResult;
  readonly message?: string;
}

export interface ProbeTarget {
  readonly containerId: string;
  /** The pod IP, or 127.0.0.1 for hostNetwork pods. */
  readonly host: string;
  /** Named container ports (ports[].name → containerPort). */
  readonly namedPorts: ReadonlyMap<string, number>;
}

export interface ProbeExec {
  execSync(
    containerId: string,
    command: readonly string[],
    timeoutMs: number,
  ): Promise<{ exitCode: number; stdout: Buffer; stderr: Buffer; timedOut: boolean }>;
}

/** The kubelet: success for HTTP status 200 ≤ code < 400. */
const HTTP_MIN_SUCCESS = 200;
const HTTP_MAX_SUCCESS = 399;
const PROBE_OUTPUT_LIMIT = 10 * 1024;

function resolvePort(port: number | string, target: ProbeTarget): number | undefined {
  if (typeof port === 'number') return port;
  const numeric = Number(port);
  if (Number.isInteger(numeric) && numeric > 0) return numeric;
  return target.namedPorts.get(port);
}

export async function runProbe(probe: Probe, target: ProbeTarget, exec: ProbeExec): Promise<ProbeOutcome> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.exec) {
    const r = await exec.execSync(target.containerId, probe.exec.command ?? [], timeoutMs);
    if (r.timedOut) return { result: 'failure', message: `command timed out after ${timeoutMs / 1000}s` };
    const output = Buffer.concat([r.stdout, r.stderr]).toString('utf8').slice(0, PROBE_OUTPUT_LIMIT).trim();
    return r.exitCode === 0
      ? { result: 'success' }
      : { result: 'failure', message: `command failed with exit code ${r.exitCode}${output ? `: ${output}` : ''}` };
  }
  if (probe.httpGet) {
    const port = resolvePort(probe.httpGet.port, target);
    if (port === undefined) return { result: 'failure', message: `port ${String(probe.httpGet.port)} not found` };
    const scheme = (probe.httpGet.scheme ?? 'HTTP').toLowerCase();
    const url = `${scheme}://${probe.httpGet.host ?? target.host}:${port}${probe.httpGet.path ?? '/'}`;
    const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.30' };
    for (const h of probe.httpGet.httpHeaders ?? []) headers[h.name] = h.value;
    try {
      const res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
      await res.body?.cancel();
      return res.status >= HTTP_MIN_SUCCESS && res.status <= HTTP_MAX_SUCCESS
        ? { result: 'success' }
        : { result: 'failure', message: `HTTP probe failed with statuscode: ${res.status}` };
    } catch (err) {
      return { result: 'failure', message: `Get "${url}": ${err instanceof Error ? err.message : String(err)}` };
    }
  }
  if (probe.tcpSocket) {
    const port = resolvePort(probe.tcpSocket.port, target);
    if (port === undefined) return { result: 'failure', message: `port ${String(probe.tcpSocket.port)} not found` };
    return tcpCheck(probe.tcpSocket.host ?? target.host, port, timeoutMs);
  }
  if (probe.grpc) {
    // grpc-js is loaded by the first gRPC probe only: most daemons never run one.
    const { grpcCheck } = await import('./grpc-probe.js');
    return grpcCheck(target.host, probe.grpc.port, probe.grpc.service ?? '', timeoutMs);
  }
  return { result: 'failure', message: 'the probe has no handler' };
}

function tcpCheck(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (outcome: ProbeOutcome): void => {
      socket.destroy();
      resolve(outcome);
    };
    socket.setTimeout(timeoutMs, () => done({ result: 'failure', message: `dial tcp ${host}:${port}: i/o timeout` }));
    socket.once('connect', () => done({ result: 'success' }));
    socket.once('error', (err) => done({ result: 'failure', message: `dial tcp ${host}:${port}: ${err.message}` }));
  });
}
