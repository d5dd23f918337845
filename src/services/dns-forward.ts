// Forwarding a query the cluster zone does not hold to the host's resolvers (its /etc/resolv.conf, read
// at each daemon start), as CoreDNS's `forward . /etc/resolv.conf` does: each upstream in turn with a
// bounded wait, a fresh socket (a random source port) per attempt, and the reply's ID checked.
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';

export const FORWARD_TIMEOUT_MS = 2000;
const MAX_TCP_MESSAGE = 65535;

export interface Upstream {
  readonly host: string;
  readonly port: number;
}

/** The nameservers of a resolv.conf text (at most 3, as the resolver uses), minus `exclude` (ourselves). */
export function upstreamsFrom(resolvConf: string, exclude: readonly string[]): Upstream[] {
  const out: Upstream[] = [];
  for (const line of resolvConf.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (m?.[1] && !exclude.includes(m[1]) && out.length < 3) out.push({ host: m[1], port: 53 });
  }
  return out;
}

function udpExchange(up: Upstream, query: Buffer, timeoutMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket(up.host.includes(':') ? 'udp6' : 'udp4');
    const finish = (reply: Buffer | undefined): void => {
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    socket.on('error', () => finish(undefined));
    socket.on('message', (msg) => {
      // The same ID as ours, or it is not our answer (a late or spoofed datagram): keep waiting.
      if (msg.length >= 2 && msg.readUInt16BE(0) === query.readUInt16BE(0)) finish(msg);
    });
    socket.send(query, up.port, up.host, (err) => err && finish(undefined));
  });
}

function tcpExchange(up: Upstream, query: Buffer, timeoutMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: up.host, port: up.port });
    let buffered = Buffer.alloc(0);
    const finish = (reply: Buffer | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(reply);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    socket.on('error', () => finish(undefined));
    socket.on('connect', () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(query.length);
      socket.write(Buffer.concat([length, query]));
    });
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length > MAX_TCP_MESSAGE + 2) return finish(undefined);
      if (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) finish(buffered.subarray(2, 2 + buffered.readUInt16BE(0)));
    });
  });
}

/** The first upstream's reply to `query` (raw DNS message), or undefined when none answered in time. */
export async function forwardQuery(
  upstreams: readonly Upstream[],
  query: Buffer,
  transport: 'udp' | 'tcp',
  timeoutMs = FORWARD_TIMEOUT_MS,
): Promise<Buffer | undefined> {
  for (const up of upstreams) {
    const reply = transport === 'udp' ? await udpExchange(up, query, timeoutMs) : await tcpExchange(up, query, timeoutMs);
    if (reply !== undefined) return reply;
  }
  return undefined;
}
