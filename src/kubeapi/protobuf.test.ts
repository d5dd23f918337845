import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeProtobufObject } from './protobuf.js';

// Hand-encoded as client-go's protobuf serializer writes them (k8s.io/api/core/v1/generated.proto).
function len(no: number, payload: Buffer | string): Buffer {
  const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload;
  return Buffer.concat([Buffer.from([(no << 3) | 2, bytes.length]), bytes]);
}
const entry = (no: number, k: string, v: string | Buffer): Buffer => len(no, Buffer.concat([len(1, k), len(2, v)]));
const envelope = (kind: string, raw: Buffer): Buffer =>
  Buffer.concat([Buffer.from('k8s\0', 'latin1'), len(1, Buffer.concat([len(1, 'v1'), len(2, kind)])), len(2, raw)]);

test('a ConfigMap in the k8s protobuf envelope decodes to its JSON form', () => {
  const meta = Buffer.concat([len(1, 'cfg'), len(3, 'default'), entry(11, 'app', 'x')]);
  const body = envelope('ConfigMap', Buffer.concat([len(1, meta), entry(2, 'a', '1'), entry(2, 'b', '2'), entry(3, 'bin', Buffer.from([0, 255]))]));
  assert.deepEqual(decodeProtobufObject(body), {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'cfg', namespace: 'default', labels: { app: 'x' } },
    data: { a: '1', b: '2' },
    binaryData: { bin: 'AP8=' },
  });
});

test('a Secret keeps data as base64 and its type; other kinds and bad envelopes are refused', () => {
  const body = envelope('Secret', Buffer.concat([len(1, len(1, 's')), entry(2, 'p', 'x'), len(3, 'Opaque')]));
  assert.deepEqual(decodeProtobufObject(body), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { p: 'eA==' }, type: 'Opaque' });
  assert.throws(() => decodeProtobufObject(envelope('Pod', Buffer.alloc(0))), /ConfigMap, Secret and Namespace only/);
  assert.throws(() => decodeProtobufObject(Buffer.from('{}')), /envelope/);
});
