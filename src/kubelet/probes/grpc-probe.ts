// gRPC probes: the standard health checking protocol (grpc.health.v1.Health/Check), as the kubelet's
// grpc prober calls it. The two messages are tiny, so they are encoded here instead of loading a .proto:
// HealthCheckRequest { string service = 1; }  HealthCheckResponse { ServingStatus status = 1; } (SERVING = 1).
import { credentials, makeGenericClientConstructor, type ServiceError } from '@grpc/grpc-js';
import type { ProbeOutcome } from './run-probe.js';

const SERVING = 1;

function encodeVarint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}

export function encodeHealthCheckRequest(service: string): Buffer {
  if (service === '') return Buffer.alloc(0);
  const bytes = Buffer.from(service, 'utf8');
  return Buffer.concat([Buffer.from([0x0a, ...encodeVarint(bytes.length)]), bytes]);
}

/** The status field of a HealthCheckResponse (0 = UNKNOWN when absent). */
export function decodeHealthCheckStatus(buffer: Buffer): number {
  let i = 0;
  while (i < buffer.length) {
    const tag = buffer[i++] ?? 0;
    if (tag === 0x08) {
      let value = 0;
      let shift = 0;
      for (;;) {
        const byte = buffer[i++] ?? 0;
        value |= (byte & 0x7f) << shift;
        shift += 7;
        if ((byte & 0x80) === 0) break;
      }
      return value;
    }
    return 0;
  }
  return 0;
}

const HealthClient = makeGenericClientConstructor(
  {
    Check: {
      path: '/grpc.health.v1.Health/Check',
      requestStream: false,
      responseStream: false,
      requestSerialize: (service: string) => encodeHealthCheckRequest(service),
      requestDeserialize: (b: Buffer) => b.toString('utf8'),
      responseSerialize: (status: number) => Buffer.from([0x08, status]),
      responseDeserialize: (b: Buffer) => decodeHealthCheckStatus(b),
    },
  },
  'Health',
);

export function grpcCheck(host: string, port: number, service: string, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const client = new HealthClient(`${host}:${port}`, credentials.createInsecure());
    const check = client['Check'] as (req: string, opts: { deadline: number }, cb: (err: ServiceError | null, status?: number) => void) => void;
    check.call(client, service, { deadline: Date.now() + timeoutMs }, (err, status) => {
      client.close();
      if (err) resolve({ result: 'failure', message: `rpc error: code = ${err.code} desc = ${err.details}` });
      else if (status === SERVING) resolve({ result: 'success' });
      else resolve({ result: 'failure', message: `service unhealthy (responded with status ${status ?? 0})` });
    });
  });
}
