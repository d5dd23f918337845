import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { decodeHealthCheckStatus, encodeHealthCheckRequest, grpcCheck } from './grpc-probe.js';

test('health check messages encode as protobuf', () => {
  assert.deepEqual([...encodeHealthCheckRequest('')], []);
  assert.deepEqual([...encodeHealthCheckRequest('db')], [0x0a, 2, 0x64, 0x62]);
  assert.equal(decodeHealthCheckStatus(Buffer.from([0x08, 1])), 1);
  assert.equal(decodeHealthCheckStatus(Buffer.alloc(0)), 0);
});

test('grpc probes against a real health server on loopback', async (t) => {
  const server = new Server();
  const statuses: Record<string, number> = { '': 1, sick: 2 };
  server.addService(
    {
      Check: {
        path: '/grpc.health.v1.Health/Check',
        requestStream: false,
        responseStream: false,
        requestSerialize: (r: { service: string }) => encodeHealthCheckRequest(r.service),
        requestDeserialize: (b: Buffer) => ({ service: b.length > 2 ? b.subarray(2).toString('utf8') : '' }),
        responseSerialize: (status: number) => Buffer.from([0x08, status]),
        responseDeserialize: (b: Buffer) => decodeHealthCheckStatus(b),
      },
    },
    {
      Check: (call: ServerUnaryCall<{ service: string }, number>, callback: sendUnaryData<number>) => callback(null, statuses[call.request.service] ?? 0),
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  t.after(() => server.forceShutdown());
  assert.deepEqual(await grpcCheck('127.0.0.1', port, '', 2000), { result: 'success' });
  const sick = await grpcCheck('127.0.0.1', port, 'sick', 2000);
  assert.equal(sick.result, 'failure');
  assert.match(sick.message ?? '', /status 2/);
  server.forceShutdown();
  const down = await grpcCheck('127.0.0.1', port, '', 1000);
  assert.equal(down.result, 'failure');
  assert.match(down.message ?? '', /rpc error: code = 14/);
});
