// The .proto is the wire contract: every RPC has an answer, and (when the upstream reference is on this
// machine) every message field we kept has the reference's number, type and label.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { loadSync, type MessageTypeDefinition } from '@grpc/proto-loader';
import { CRI_LOADER_OPTIONS, CRI_PROTO_PATH, loadCriServices } from './load.js';
import { imageServiceHandlers, runtimeServiceHandlers, UNSERVED_STREAMS } from '../handlers.js';

const REFERENCE = '/work/shared/specs/cri-api-v1.proto';
const SERVED_IN_SERVER = ['GetContainerEvents', 'StreamImages'];

test('every RPC of both services has a handler or a stated refusal', () => {
  const services = loadCriServices();
  const answered = new Set([...Object.keys(runtimeServiceHandlers), ...Object.keys(imageServiceHandlers), ...Object.keys(UNSERVED_STREAMS), ...SERVED_IN_SERVER]);
  const methods = [...Object.keys(services.runtimeDefinition), ...Object.keys(services.imageDefinition)];
  assert.ok(methods.length >= 40);
  assert.deepEqual(methods.filter((m) => !answered.has(m)), []);
});

interface FieldShape {
  name: string;
  number: number;
  type: string;
  typeName: string;
  label: string;
}

function messages(path: string): Map<string, FieldShape[]> {
  const def = loadSync(path, CRI_LOADER_OPTIONS);
  const out = new Map<string, FieldShape[]>();
  for (const [name, value] of Object.entries(def)) {
    if (!('format' in value) || value.format !== 'Protocol Buffer 3 DescriptorProto') continue;
    const fields = ((value as MessageTypeDefinition<unknown, unknown>).type as { field?: FieldShape[] }).field ?? [];
    out.set(name, fields.map((f) => ({ name: f.name, number: f.number, type: f.type, typeName: f.typeName, label: f.label })));
  }
  return out;
}

function enums(path: string): Map<string, string> {
  const def = loadSync(path, CRI_LOADER_OPTIONS);
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(def)) {
    if ('format' in value && value.format === 'Protocol Buffer 3 EnumDescriptorProto') out.set(name, JSON.stringify((value).type));
  }
  return out;
}

test('fields and enums match the upstream CRI v1 reference', async (t) => {
  if (!(await access(REFERENCE).then(() => true, () => false))) {
    t.skip(`${REFERENCE} is not on this machine`);
    return;
  }
  const ours = messages(CRI_PROTO_PATH);
  const theirs = messages(REFERENCE);
  assert.ok(ours.size > 80);
  for (const [name, fields] of ours) {
    const reference = theirs.get(name);
    assert.ok(reference, `message ${name} is not in the reference`);
    for (const f of fields) assert.deepEqual(f, reference.find((r) => r.name === f.name), `${name}.${f.name}`);
  }
  const ourEnums = enums(CRI_PROTO_PATH);
  const theirEnums = enums(REFERENCE);
  for (const [name, shape] of ourEnums) assert.equal(shape, theirEnums.get(name), `enum ${name}`);
});
