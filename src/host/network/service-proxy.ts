// Programs the Service proxy's rules (service-rules.ts) into the kernel: one iptables-save to see what is
// there and one iptables-restore --noflush per sync, as kube-proxy does, instead of a process per rule.
// Declaring a chain in the batch flushes it, so each sync rewrites our chains whole and atomically; chains
// of ours that the new rules no longer name (a deleted Service, a gone endpoint) are flushed and deleted in
// the same batch. Only chains named after this instance's bridge are ever touched.
import { PeapodError } from '../../common/errors.js';
import { runUnchecked } from '../exec.js';
import { ownedChainPrefixes, proxyChains, renderServiceRules, type ProxyServicePort } from './service-rules.js';

const IPTABLES_TIMEOUT_MS = 15_000;

export interface ServiceProxy {
  /** Makes the kernel's rules match `ports` exactly (hooks included). */
  sync(ports: readonly ProxyServicePort[]): Promise<void>;
  /** Removes every rule and chain of this instance; idempotent. */
  removeAll(): Promise<void>;
}

interface Hook {
  readonly table: 'nat' | 'filter';
  readonly chain: string;
  readonly target: string;
}

function hooks(bridge: string): Hook[] {
  const c = proxyChains(bridge);
  return [
    { table: 'nat', chain: 'PREROUTING', target: c.services },
    { table: 'nat', chain: 'OUTPUT', target: c.services },
    { table: 'nat', chain: 'POSTROUTING', target: c.postrouting },
    { table: 'filter', chain: 'INPUT', target: c.filter },
    { table: 'filter', chain: 'FORWARD', target: c.filter },
    { table: 'filter', chain: 'OUTPUT', target: c.filter },
  ];
}

export interface SavedTable {
  readonly chains: string[];
  readonly rules: string[];
}

/** iptables-save's text split by table: declared chain names and `-A` lines. */
export function parseIptablesSave(text: string): Map<string, SavedTable> {
  const tables = new Map<string, { chains: string[]; rules: string[] }>();
  let current: { chains: string[]; rules: string[] } | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) {
      current = { chains: [], rules: [] };
      tables.set(line.slice(1).trim(), current);
    } else if (line.startsWith(':') && current) current.chains.push(line.slice(1).split(' ')[0] ?? '');
    else if (line.startsWith('-A ') && current) current.rules.push(line);
  }
  return tables;
}

export function createServiceProxy(bridge: string, podSubnet: string): ServiceProxy {
  const prefixes = ownedChainPrefixes(bridge);
  const owned = (chain: string): boolean => prefixes.some((p) => chain === p || (p.endsWith('-') && chain.startsWith(p)));
  const jumpsToOwned = (rule: string): boolean => owned(/ -j (\S+)/.exec(rule)?.[1] ?? '');

  const save = async (): Promise<Map<string, SavedTable>> => {
    const r = await runUnchecked('iptables-save', [], { timeoutMs: IPTABLES_TIMEOUT_MS });
    if (r.code !== 0) throw new PeapodError('Internal', `iptables-save failed: ${r.stderr.trim()}`);
    return parseIptablesSave(r.stdout);
  };
  const restore = async (batch: string): Promise<void> => {
    const r = await runUnchecked('iptables-restore', ['--wait=10', '--noflush'], { input: batch, timeoutMs: IPTABLES_TIMEOUT_MS });
    if (r.code !== 0) throw new PeapodError('Internal', `iptables-restore of the Service rules failed: ${r.stderr.trim()}\n${batch}`);
  };

  return {
    async sync(ports) {
      const current = await save();
      const rendered = renderServiceRules({ bridge, podSubnet, ports });
      const batch: string[] = [];
      for (const table of ['nat', 'filter'] as const) {
        const have = current.get(table) ?? { chains: [], rules: [] };
        const lines = table === 'nat' ? rendered.nat : rendered.filter;
        const declared = new Set(lines.filter((l) => l.startsWith(':')).map((l) => l.slice(1).split(' ')[0]));
        const stale = have.chains.filter((chain) => owned(chain) && !declared.has(chain));
        const missingHooks = hooks(bridge)
          .filter((h) => h.table === table && !have.rules.some((r) => r.startsWith(`-A ${h.chain} `) && r.endsWith(`-j ${h.target}`)))
          .map((h) => `-I ${h.chain} 1 -m comment --comment "peapod services ${bridge}" -j ${h.target}`);
        batch.push(`*${table}`, ...lines.filter((l) => l.startsWith(':')), ...stale.map((s) => `:${s} - [0:0]`), ...missingHooks);
        batch.push(...lines.filter((l) => !l.startsWith(':')), ...stale.map((s) => `-X ${s}`), 'COMMIT');
      }
      await restore(`${batch.join('\n')}\n`);
    },
    async removeAll() {
      const current = await save();
      const batch: string[] = [];
      for (const table of ['nat', 'filter'] as const) {
        const have = current.get(table) ?? { chains: [], rules: [] };
        const ours = have.chains.filter(owned);
        // Rules in chains not ours (the built-in hooks) that jump into ours go first: a referenced chain cannot be deleted.
        const foreignJumps = have.rules.filter((r) => !owned(r.split(' ')[1] ?? '') && jumpsToOwned(r)).map((r) => `-D${r.slice(2)}`);
        if (ours.length === 0 && foreignJumps.length === 0) continue;
        batch.push(`*${table}`, ...ours.map((chain) => `:${chain} - [0:0]`), ...foreignJumps, ...ours.map((chain) => `-X ${chain}`), 'COMMIT');
      }
      if (batch.length > 0) await restore(`${batch.join('\n')}\n`);
    },
  };
}
