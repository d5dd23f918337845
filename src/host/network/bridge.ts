// The pod bridge made before the first pod, with the gateway address CNI's bridge plugin would give it
// (it accepts a bridge that already exists and an address that is already there): the cluster DNS must
// listen on the gateway from the daemon's start, not from the first pod's. route_localnet on this bridge
// only (never "all") lets a NodePort on 127.0.0.1 be DNATed out to a pod, as kube-proxy's
// route_localnet=1 does; the martian-localnet DROP rule of service-rules.ts keeps pods from abusing it.
// Undone by the network manager's removeHostSetup, which deletes the bridge.
import { readFile, writeFile } from 'node:fs/promises';
import { PeapodError } from '../../common/errors.js';
import { runUnchecked } from '../exec.js';

const IP_TIMEOUT_MS = 10_000;

async function ip(args: string[], okCodes: number[] = [0]): Promise<{ code: number; stdout: string }> {
  const r = await runUnchecked('ip', args, { timeoutMs: IP_TIMEOUT_MS });
  if (!okCodes.includes(r.code)) throw new PeapodError('Internal', `ip ${args.join(' ')} failed: ${r.stderr.trim()}`);
  return r;
}

/** Ensures `bridge` exists, is up and has `gateway` (address/prefix); idempotent. */
export async function ensureBridge(bridge: string, gateway: string): Promise<void> {
  if ((await ip(['link', 'show', 'dev', bridge], [0, 1])).code !== 0) {
    // Another creator (a pod's CNI ADD racing us) may win: then "exists" is fine.
    await ip(['link', 'add', 'name', bridge, 'type', 'bridge'], [0, 2]);
  }
  const [address] = gateway.split('/');
  const addrs = JSON.parse((await ip(['-j', '-4', 'addr', 'show', 'dev', bridge])).stdout || '[]') as { addr_info?: { local?: string }[] }[];
  if (!addrs.some((l) => l.addr_info?.some((a) => a.local === address))) await ip(['addr', 'add', gateway, 'dev', bridge], [0, 2]);
  await ip(['link', 'set', 'dev', bridge, 'up']);
  await writeFile(`/proc/sys/net/ipv4/conf/${bridge}/route_localnet`, '1');
}

const BRIDGE_NF_CALL_IPTABLES = '/proc/sys/net/bridge/bridge-nf-call-iptables';

/**
 * Bridged traffic through iptables (br_netfilter), which kube-proxy requires: a pod's reply to another
 * pod on the same bridge that reached it through a cluster IP must pass conntrack to be un-DNATed.
 * Turned on like ip_forward (host-wide, as Docker and kubeadm's preflight do); returns the problem when
 * it cannot be, undefined when it is on.
 */
export async function ensureBridgeNetfilter(): Promise<string | undefined> {
  const read = (): Promise<string | undefined> =>
    readFile(BRIDGE_NF_CALL_IPTABLES, 'utf8').then(
      (t) => t.trim(),
      () => undefined,
    );
  if ((await read()) === undefined) await runUnchecked('modprobe', ['br_netfilter'], { timeoutMs: IP_TIMEOUT_MS }).catch(() => undefined);
  if ((await read()) === '1') return undefined;
  try {
    await writeFile(BRIDGE_NF_CALL_IPTABLES, '1');
    return undefined;
  } catch (err) {
    return `bridged traffic does not pass iptables (${BRIDGE_NF_CALL_IPTABLES}: ${(await read()) ?? 'absent, br_netfilter not loaded'}; ${err instanceof Error ? err.message : String(err)}): a pod reaching a Service whose endpoint is on the same bridge gets no reply`;
  }
}
