// The cluster DNS server: UDP and TCP on one address (the pod network's gateway, port 53), answering the
// cluster zone itself (dns-records.ts) and forwarding everything else (dns-forward.ts). Bounded: at most
// MAX_FORWARDS_IN_FLIGHT forwarded queries and MAX_TCP_CONNECTIONS connections at once, so a pod that
// floods it cannot grow the daemon's memory; a UDP answer over the client's size is truncated (TC set,
// the client retries over TCP), as RFC 1035/6891 say.
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server, type Socket as TcpSocket } from 'node:net';
import dnsPacket, { type Answer, type Packet } from 'dns-packet';
import type { ClusterDnsZone, DnsRecord } from './dns-records.js';
import { forwardQuery, type Upstream } from './dns-forward.js';
import { errorMessage } from '../common/errors.js';

const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4 } as const;
const MAX_FORWARDS_IN_FLIGHT = 256;
const MAX_TCP_CONNECTIONS = 64;
const TCP_IDLE_MS = 10_000;
const CLASSIC_UDP_LIMIT = 512;

export interface DnsServerOptions {
  readonly host: string;
  /** 53 in the daemon; 0 picks a free port (unit tests). */
  readonly port: number;
  readonly zone: () => ClusterDnsZone;
  readonly upstreams: () => readonly Upstream[];
  readonly log: (message: string) => void;
}

export interface DnsServer {
  readonly port: number;
  close(): Promise<void>;
}

function toAnswer(r: DnsRecord): Answer {
  return { name: r.name, type: r.type, class: 'IN', ttl: r.ttl, data: r.data };
}

function reply(query: Packet, rcode: number, extra: Partial<Packet> = {}, authoritative = false): Packet {
  const rd = (query.flags ?? 0) & dnsPacket.RECURSION_DESIRED;
  return {
    type: 'response',
    id: query.id ?? 0,
    flags: rd | dnsPacket.RECURSION_AVAILABLE | (authoritative ? dnsPacket.AUTHORITATIVE_ANSWER : 0) | rcode,
    questions: query.questions ?? [],
    answers: [],
    authorities: [],
    additionals: [],
    ...extra,
  };
}

/** The zone's reply to `raw`, or 'forward' when the name is not the zone's, or undefined when `raw` is not a DNS query. */
export function answerFromZone(zone: ClusterDnsZone, raw: Buffer): Buffer | 'forward' | undefined {
  let query: Packet;
  try {
    query = dnsPacket.decode(raw);
  } catch {
    return raw.length >= 12 ? dnsPacket.encode(reply({ id: raw.readUInt16BE(0) }, RCODE.FORMERR)) : undefined;
  }
  if (query.type !== 'query') return undefined;
  const question = query.questions?.[0];
  if (query.opcode !== 'QUERY') return dnsPacket.encode(reply(query, RCODE.NOTIMP));
  if (question === undefined || (query.questions?.length ?? 0) > 1) return dnsPacket.encode(reply(query, RCODE.FORMERR));
  const result = zone.lookup(question.name, question.type);
  if (result === undefined) return 'forward';
  const packet = reply(
    query,
    RCODE[result.rcode],
    { answers: result.answers.map(toAnswer), additionals: result.additionals.map(toAnswer), authorities: result.authorities.map(toAnswer) },
    true,
  );
  return dnsPacket.encode(packet);
}

/** The client's UDP size limit: its EDNS OPT record's, or 512. */
function udpLimit(raw: Buffer): number {
  try {
    const opt = dnsPacket.decode(raw).additionals?.find((a) => a.type === 'OPT');
    return Math.max(CLASSIC_UDP_LIMIT, opt?.udpPayloadSize ?? CLASSIC_UDP_LIMIT);
  } catch {
    return CLASSIC_UDP_LIMIT;
  }
}

function truncated(answer: Buffer): Buffer {
  const packet = dnsPacket.decode(answer);
  return dnsPacket.encode({ ...packet, flags: (packet.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE, answers: [], authorities: [], additionals: [] });
}

export async function startDnsServer(options: DnsServerOptions): Promise<DnsServer> {
  let forwards = 0;
  // A forwarded answer may come back after close: it is dropped, not sent on a closed socket.
  let closed = false;
  const resolve = async (raw: Buffer, transport: 'udp' | 'tcp'): Promise<Buffer | undefined> => {
    const local = answerFromZone(options.zone(), raw);
    if (local !== 'forward') return local;
    if (forwards >= MAX_FORWARDS_IN_FLIGHT) return dnsPacket.encode(reply(dnsPacket.decode(raw), RCODE.SERVFAIL));
    forwards++;
    try {
      return (await forwardQuery(options.upstreams(), raw, transport)) ?? dnsPacket.encode(reply(dnsPacket.decode(raw), RCODE.SERVFAIL));
    } finally {
      forwards--;
    }
  };

  const udp: Socket = createSocket('udp4');
  const failed = (err: unknown): void => options.log(`cluster DNS: ${errorMessage(err)}`);
  udp.on('message', (msg, peer) => {
    resolve(msg, 'udp')
      .then((answer) => {
        if (answer === undefined || closed) return;
        const out = answer.length > udpLimit(msg) ? truncated(answer) : answer;
        udp.send(out, peer.port, peer.address);
      })
      .catch(failed);
  });
  udp.on('error', (err) => options.log(`cluster DNS (udp): ${err.message}`));
  await new Promise<void>((ok, fail) => {
    udp.once('error', fail);
    udp.bind(options.port, options.host, () => {
      udp.off('error', fail);
      ok();
    });
  });

  const connections = new Set<TcpSocket>();
  const tcp = tcpServer(connections, resolve, failed);
  try {
    await new Promise<void>((ok, fail) => {
      tcp.once('error', fail);
      tcp.listen({ port: (udp.address() as { port: number }).port, host: options.host }, () => {
        tcp.off('error', fail);
        ok();
      });
    });
  } catch (err) {
    udp.close();
    throw err;
  }
  return {
    port: (udp.address() as { port: number }).port,
    async close() {
      closed = true;
      for (const c of connections) c.destroy();
      await Promise.all([new Promise<void>((ok) => udp.close(() => ok())), new Promise<void>((ok) => tcp.close(() => ok()))]);
    },
  };
}

/** The TCP side: 2-byte length framing, at most MAX_TCP_CONNECTIONS, idle ones closed. */
function tcpServer(
  connections: Set<TcpSocket>,
  resolve: (raw: Buffer, transport: 'tcp') => Promise<Buffer | undefined>,
  failed: (err: unknown) => void,
): Server {
  return createServer((socket) => {
    if (connections.size >= MAX_TCP_CONNECTIONS) return void socket.destroy();
    connections.add(socket);
    socket.setTimeout(TCP_IDLE_MS, () => socket.destroy());
    socket.on('close', () => connections.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const message = buffered.subarray(2, 2 + buffered.readUInt16BE(0));
        buffered = buffered.subarray(2 + message.length);
        resolve(Buffer.from(message), 'tcp')
          .then((answer) => {
            if (answer === undefined || socket.destroyed) return;
            const length = Buffer.alloc(2);
            length.writeUInt16BE(answer.length);
            socket.write(Buffer.concat([length, answer]));
          })
          .catch(failed);
      }
    });
  });
}
