// The one place where peapod's error classes become gRPC status codes (containerd's errgrpc idea):
// handlers throw PeapodError, the server wrapper calls toServiceError.
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { PeapodError, errorCode, errorMessage, type ErrorCode } from '../common/errors.js';

const GRPC_CODE: Readonly<Record<ErrorCode, status>> = {
  InvalidArgument: status.INVALID_ARGUMENT,
  NotFound: status.NOT_FOUND,
  AlreadyExists: status.ALREADY_EXISTS,
  FailedPrecondition: status.FAILED_PRECONDITION,
  Unauthenticated: status.UNAUTHENTICATED,
  PermissionDenied: status.PERMISSION_DENIED,
  Unavailable: status.UNAVAILABLE,
  DeadlineExceeded: status.DEADLINE_EXCEEDED,
  ResourceExhausted: status.RESOURCE_EXHAUSTED,
  Unimplemented: status.UNIMPLEMENTED,
  DataLoss: status.DATA_LOSS,
  // An error without a class is a bug or an unexpected host failure: UNKNOWN, as errgrpc does.
  Internal: status.UNKNOWN,
};

export function grpcCodeOf(code: ErrorCode): status {
  return GRPC_CODE[code];
}

/** A gRPC status carrying the error's message (and hint): the kubelet logs `details` verbatim. */
export function toServiceError(err: unknown): Partial<ServiceError> & { code: status; details: string } {
  const code = grpcCodeOf(errorCode(err));
  const hint = err instanceof PeapodError && err.hint !== undefined ? ` (${err.hint})` : '';
  const details = `${errorMessage(err)}${hint}`;
  return { code, details, message: details, metadata: new Metadata() };
}

export function unimplemented(what: string, reason: string): PeapodError {
  return new PeapodError('Unimplemented', `${what} is not implemented by peapod: ${reason}`);
}
