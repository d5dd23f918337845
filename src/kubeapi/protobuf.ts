// kubectl's typed clients (`kubectl create configmap|secret|namespace`) send Kubernetes protobuf: the
// envelope `k8s\0` + runtime.Unknown{typeMeta, raw}, raw being the object's generated.proto message.
// Decoded here for the kinds those verbs create (field numbers from k8s.io/api/core/v1/generated.proto);
// answers always go out as JSON, which every client accepts.
import { badRequest } from './status.js';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

interface Field {
  readonly no: number;
  readonly wire: number;
  readonly value: bigint | Buffer;
}

function varint(buf: Buffer, at: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let i = at; i < buf.length && shift < 70n; i++) {
    const byte = buf[i] ?? 0;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, i + 1];
    shift += 7n;
  }
  throw badRequest('protobuf: truncated varint');
}

function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let at = 0;
  while (at < buf.length) {
    const [key, next] = varint(buf, at);
    at = next;
    const no = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      const [v, after] = varint(buf, at);
      out.push({ no, wire, value: v });
      at = after;
    } else if (wire === 2) {
      const [len, after] = varint(buf, at);
      const end = after + Number(len);
      if (end > buf.length) throw badRequest('protobuf: truncated field');
      out.push({ no, wire, value: buf.subarray(after, end) });
      at = end;
    } else if (wire === 1 || wire === 5) {
      at += wire === 1 ? 8 : 4;
    } else throw badRequest(`protobuf: unsupported wire type ${wire}`);
  }
  return out;
}

const bytesOf = (f: Field | undefined): Buffer => (f && Buffer.isBuffer(f.value) ? f.value : Buffer.alloc(0));
const str = (f: Field | undefined): string => bytesOf(f).toString('utf8');

function map(entries: Field[], values: 'string' | 'base64'): Record<string, string> | undefined {
  if (entries.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const e of entries) {
    const kv = fields(bytesOf(e));
    const value = bytesOf(kv.find((f) => f.no === 2));
    out[str(kv.find((f) => f.no === 1))] = values === 'string' ? value.toString('utf8') : value.toString('base64');
  }
  return out;
}

function objectMeta(buf: Buffer): Record<string, unknown> {
  const f = fields(buf);
  const one = (no: number): Field | undefined => f.find((x) => x.no === no);
  const meta: Record<string, unknown> = {};
  if (one(1)) meta['name'] = str(one(1));
  if (one(2)) meta['generateName'] = str(one(2));
  if (one(3)) meta['namespace'] = str(one(3));
  if (one(6)) meta['resourceVersion'] = str(one(6));
  const labels = map(
    f.filter((x) => x.no === 11),
    'string',
  );
  const annotations = map(
    f.filter((x) => x.no === 12),
    'string',
  );
  if (labels) meta['labels'] = labels;
  if (annotations) meta['annotations'] = annotations;
  return meta;
}

/** The object a protobuf body carries, as the JSON the same object would have been. */
export function decodeProtobufObject(body: Buffer): Record<string, unknown> {
  if (!body.subarray(0, 4).equals(MAGIC)) throw badRequest('protobuf: the body lacks the k8s envelope');
  const unknown = fields(body.subarray(4));
  const typeMeta = fields(bytesOf(unknown.find((f) => f.no === 1)));
  const apiVersion = str(typeMeta.find((f) => f.no === 1));
  const kind = str(typeMeta.find((f) => f.no === 2));
  const raw = fields(bytesOf(unknown.find((f) => f.no === 2)));
  const all = (no: number): Field[] => raw.filter((f) => f.no === no);
  const metadata = objectMeta(bytesOf(all(1)[0]));
  const flag = (no: number): Record<string, boolean> => (all(no)[0] ? { immutable: all(no)[0]?.value === 1n } : {});
  if (kind === 'ConfigMap') {
    const data = map(all(2), 'string');
    const binaryData = map(all(3), 'base64');
    return { apiVersion, kind, metadata, ...(data ? { data } : {}), ...(binaryData ? { binaryData } : {}), ...flag(4) };
  }
  if (kind === 'Secret') {
    const data = map(all(2), 'base64');
    const stringData = map(all(4), 'string');
    const type = str(all(3)[0]);
    return { apiVersion, kind, metadata, ...(data ? { data } : {}), ...(type ? { type } : {}), ...(stringData ? { stringData } : {}), ...flag(5) };
  }
  if (kind === 'Namespace') return { apiVersion, kind, metadata };
  throw badRequest(`protobuf bodies are accepted for ConfigMap, Secret and Namespace only (got ${kind || 'no kind'}); send JSON`);
}
