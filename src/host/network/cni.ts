// Running CNI plugins per the CNI spec (1.0.0): one network config on stdin, parameters in CNI_*
// variables, a result or an error ({code, msg, details}) on stdout. A list's plugins run in order,
// each getting the previous result as prevResult; DEL runs them in reverse with the stored result.
import { join } from 'node:path';
import { PeapodError } from '../../common/errors.js';
import { runUnchecked } from '../exec.js';

export const CNI_VERSION = '1.0.0';
const CNI_TIMEOUT_MS = 30_000;

export type CniCommand = 'ADD' | 'DEL' | 'CHECK';

export interface CniInvocation {
  readonly command: CniCommand;
  readonly containerId: string;
  readonly netns: string;
  readonly ifName: string;
  readonly args: Readonly<Record<string, string>>;
  readonly binDir: string;
  readonly signal?: AbortSignal;
}

export type PluginConfig = Readonly<Record<string, unknown>> & { readonly type: string };

export async function invokePlugin(network: string, plugin: PluginConfig, call: CniInvocation, prevResult?: unknown): Promise<unknown> {
  const config = { cniVersion: CNI_VERSION, name: network, ...plugin, ...(prevResult === undefined ? {} : { prevResult }) };
  const cniArgs = Object.entries({ IgnoreUnknown: '1', ...call.args })
    .map(([k, v]) => `${k}=${v}`)
    .join(';');
  const result = await runUnchecked(join(call.binDir, plugin.type), [], {
    input: JSON.stringify(config),
    timeoutMs: CNI_TIMEOUT_MS,
    ...(call.signal ? { signal: call.signal } : {}),
    env: {
      PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin',
      CNI_COMMAND: call.command,
      CNI_CONTAINERID: call.containerId,
      CNI_NETNS: call.netns,
      CNI_IFNAME: call.ifName,
      CNI_PATH: call.binDir,
      CNI_ARGS: cniArgs,
    },
  });
  const out = result.stdout.trim();
  if (result.code !== 0) {
    let detail = result.stderr.trim() || out;
    try {
      const parsed = JSON.parse(out) as { code?: number; msg?: string; details?: string };
      detail = `${parsed.msg ?? 'error'}${parsed.details ? `: ${parsed.details}` : ''} (CNI error code ${parsed.code ?? '?'})`;
    } catch {
      /* not JSON: keep the raw text */
    }
    throw new PeapodError('Internal', `CNI plugin ${plugin.type} ${call.command} failed: ${detail}`);
  }
  if (call.command !== 'ADD' || out === '') return prevResult;
  return JSON.parse(out) as unknown;
}
