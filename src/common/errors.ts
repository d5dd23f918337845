// Typed errors with a small fixed set of classes, after containerd's errdefs: the class decides the
// HTTP status of the local API, the gRPC code of the CRI endpoint and the CLI's exit code, in one place each.

export type ErrorCode =
  | 'InvalidArgument'
  | 'NotFound'
  | 'AlreadyExists'
  | 'FailedPrecondition'
  | 'Unauthenticated'
  | 'PermissionDenied'
  | 'Unavailable'
  | 'DeadlineExceeded'
  | 'ResourceExhausted'
  | 'Unimplemented'
  | 'DataLoss'
  | 'Internal';

export interface ErrorOptions {
  readonly hint?: string;
  readonly cause?: unknown;
}

export class PeapodError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PeapodError';
    this.code = code;
    this.hint = options.hint;
  }
}

export function isPeapodError(err: unknown): err is PeapodError {
  return err instanceof PeapodError;
}

/** The class of an error, walking `cause` so a wrapped error keeps its meaning. */
export function errorCode(err: unknown): ErrorCode {
  let current: unknown = err;
  for (let depth = 0; depth < 8 && current !== undefined; depth++) {
    if (current instanceof PeapodError) return current.code;
    current = current instanceof Error ? current.cause : undefined;
  }
  return 'Internal';
}

/** What was thrown, as an Error (a rejection or a stream's destroy wants one): itself when it is one. */
export function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

export function isErrnoException(err: unknown, code?: string): err is NodeJS.ErrnoException {
  if (typeof err !== 'object' || err === null || !('code' in err)) return false;
  return code === undefined || (err as NodeJS.ErrnoException).code === code;
}

export const invalid = (message: string, options?: ErrorOptions): PeapodError => new PeapodError('InvalidArgument', message, options);
export const notFound = (message: string, options?: ErrorOptions): PeapodError => new PeapodError('NotFound', message, options);
export const alreadyExists = (message: string, options?: ErrorOptions): PeapodError => new PeapodError('AlreadyExists', message, options);
export const failedPrecondition = (message: string, options?: ErrorOptions): PeapodError => new PeapodError('FailedPrecondition', message, options);

const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  InvalidArgument: 400,
  NotFound: 404,
  AlreadyExists: 409,
  FailedPrecondition: 412,
  Unauthenticated: 401,
  PermissionDenied: 403,
  Unavailable: 503,
  DeadlineExceeded: 504,
  ResourceExhausted: 507,
  Unimplemented: 501,
  DataLoss: 422,
  Internal: 500,
};

export function httpStatusOf(code: ErrorCode): number {
  return HTTP_STATUS[code];
}

const ERROR_CODES = new Set<string>(Object.keys(HTTP_STATUS));

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && ERROR_CODES.has(value);
}
