// The part of dns-packet's API the cluster DNS uses (the package ships no types).
declare module 'dns-packet' {
  export interface Question {
    name: string;
    type: string;
    class?: string;
  }
  export interface Answer {
    name: string;
    type: string;
    class?: string;
    ttl?: number;
    data?: unknown;
    udpPayloadSize?: number;
  }
  export interface Packet {
    type?: 'query' | 'response';
    id?: number;
    flags?: number;
    rcode?: string;
    opcode?: string;
    questions?: Question[];
    answers?: Answer[];
    authorities?: Answer[];
    additionals?: Answer[];
  }
  export function encode(packet: Packet): Buffer;
  export function decode(buf: Buffer): Packet;
  export const AUTHORITATIVE_ANSWER: number;
  export const TRUNCATED_RESPONSE: number;
  export const RECURSION_DESIRED: number;
  export const RECURSION_AVAILABLE: number;
  const dnsPacket: {
    encode: typeof encode;
    decode: typeof decode;
    AUTHORITATIVE_ANSWER: number;
    TRUNCATED_RESPONSE: number;
    RECURSION_DESIRED: number;
    RECURSION_AVAILABLE: number;
  };
  // eslint-disable-next-line no-restricted-syntax -- a CommonJS module's default import is its module.exports
  export default dnsPacket;
}
