// A small typed CRI client over the project's own .proto, for the CRI tests and the benchmark.
import { credentials, type Client, type ServiceError, Metadata, type ClientReadableStream } from '@grpc/grpc-js';
import { loadCriServices } from '../../src/cri/proto/load.js';

export type Message = Record<string, unknown>;

/** Per call: a lifecycle step never takes this long on a healthy host. */
export const CRI_CALL_DEADLINE_MS = 60_000;

type UnaryMethod = (
  request: Message,
  metadata: Metadata,
  options: { deadline: Date },
  callback: (err: ServiceError | null, response?: Message) => void,
) => unknown;
type StreamMethod = (request: Message, metadata: Metadata, options: { deadline?: Date }) => ClientReadableStream<Message>;

export interface CriClient {
  runtime<T = Message>(method: string, request?: Message, deadlineMs?: number): Promise<T>;
  image<T = Message>(method: string, request?: Message, deadlineMs?: number): Promise<T>;
  stream(method: string, request?: Message): ClientReadableStream<Message>;
  close(): void;
}

function unaryCall<T>(client: Client, method: string, request: Message, deadlineMs: number): Promise<T> {
  const fn = (client as unknown as Record<string, unknown>)[method];
  if (typeof fn !== 'function') return Promise.reject(new Error(`no such CRI method ${method}`));
  return new Promise<T>((resolve, reject) => {
    (fn as UnaryMethod).call(client, request, new Metadata(), { deadline: new Date(Date.now() + deadlineMs) }, (err, response) => {
      if (err) reject(err);
      else resolve(response as T);
    });
  });
}

export function criClient(socketPath: string): CriClient {
  const services = loadCriServices();
  const address = `unix://${socketPath}`;
  const runtime = new services.runtime(address, credentials.createInsecure());
  const image = new services.image(address, credentials.createInsecure());
  return {
    runtime: <T>(method: string, request: Message = {}, deadlineMs = CRI_CALL_DEADLINE_MS) => unaryCall<T>(runtime, method, request, deadlineMs),
    image: <T>(method: string, request: Message = {}, deadlineMs = CRI_CALL_DEADLINE_MS) => unaryCall<T>(image, method, request, deadlineMs),
    stream: (method, request = {}) => {
      const fn = (runtime as unknown as Record<string, unknown>)[method];
      if (typeof fn !== 'function') throw new Error(`no such CRI method ${method}`);
      return (fn as StreamMethod).call(runtime, request, new Metadata(), {});
    },
    close: () => {
      runtime.close();
      image.close();
    },
  };
}

export function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && 'code' in err && typeof (err as { code: unknown }).code === 'number';
}
