// metav1.Status errors, worded as the API server words them (staging/src/k8s.io/apimachinery/pkg/api/errors):
// kubectl prints `Error from server (<reason>): <message>` and, for Invalid, the field causes.
import { PeapodError, errorCode, errorMessage, type ErrorCode } from '../common/errors.js';

export interface StatusCause {
  readonly reason: string;
  readonly message: string;
  readonly field: string;
}

export interface Status {
  readonly kind: 'Status';
  readonly apiVersion: 'v1';
  readonly metadata: Record<string, never>;
  readonly status: 'Failure' | 'Success';
  readonly message: string;
  readonly reason: string;
  readonly details?: { readonly name?: string; readonly kind?: string; readonly group?: string; readonly causes?: readonly StatusCause[] };
  readonly code: number;
}

/** An error that already is the Status the client must get. */
export class StatusError extends Error {
  constructor(readonly status: Status) {
    super(status.message);
  }
}

function status(code: number, reason: string, message: string, details?: Status['details']): StatusError {
  return new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code });
}

export const notFound = (resource: string, name: string): StatusError => status(404, 'NotFound', `${resource} "${name}" not found`, { name, kind: resource });
export const alreadyExists = (resource: string, name: string): StatusError =>
  status(409, 'AlreadyExists', `${resource} "${name}" already exists`, { name, kind: resource });
export const conflict = (resource: string, name: string): StatusError =>
  status(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    {
      name,
      kind: resource,
    },
  );
export const badRequest = (message: string): StatusError => status(400, 'BadRequest', message);
/** The API server's wording for a verb a resource does not serve (errors.NewMethodNotSupported's generic form). */
export const methodNotAllowed = (_what: string): StatusError =>
  status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
export const notAcceptable = (message: string): StatusError => status(406, 'NotAcceptable', message);
export const unsupportedMediaType = (message: string): StatusError => status(415, 'UnsupportedMediaType', message);
export const pathNotFound = (): StatusError => status(404, 'NotFound', 'the server could not find the requested resource');

/** `<Kind> "<name>" is invalid: [<field>: <detail>, ...]`, with one cause per finding (errors.NewInvalid). */
export function invalid(kind: string, name: string, findings: readonly { path: string; message: string }[]): StatusError {
  const causes = findings.map((f) => ({ reason: reasonOf(f.message), message: f.message, field: f.path }));
  const parts = findings.map((f) => (f.path ? `${f.path}: ${f.message}` : f.message));
  const aggregate = parts.length === 1 ? (parts[0] ?? '') : `[${parts.join(', ')}]`;
  return status(422, 'Invalid', `${kind} "${name}" is invalid: ${aggregate}`, { name, kind, causes });
}

/** field.ErrorType's wording starts the message (`Required value`, `Invalid value: ...`); the cause reason is its Go name. */
function reasonOf(message: string): string {
  if (message.startsWith('Required value')) return 'FieldValueRequired';
  if (message.startsWith('Unsupported value')) return 'FieldValueNotSupported';
  if (message.startsWith('Duplicate value')) return 'FieldValueDuplicate';
  if (message.startsWith('Forbidden')) return 'FieldValueForbidden';
  if (message.startsWith('Too long')) return 'FieldValueTooLong';
  return 'FieldValueInvalid';
}

const HTTP: Readonly<Record<ErrorCode, [number, string]>> = {
  InvalidArgument: [400, 'BadRequest'],
  NotFound: [404, 'NotFound'],
  AlreadyExists: [409, 'AlreadyExists'],
  FailedPrecondition: [400, 'BadRequest'],
  Unauthenticated: [401, 'Unauthorized'],
  PermissionDenied: [403, 'Forbidden'],
  Unavailable: [503, 'ServiceUnavailable'],
  DeadlineExceeded: [504, 'Timeout'],
  ResourceExhausted: [429, 'TooManyRequests'],
  Unimplemented: [405, 'MethodNotAllowed'],
  DataLoss: [500, 'InternalError'],
  Internal: [500, 'InternalError'],
};

/** Any error as the Status to send: a StatusError as is, a PeapodError by its class, anything else as InternalError. */
export function toStatus(err: unknown): Status {
  if (err instanceof StatusError) return err.status;
  const [code, reason] = HTTP[errorCode(err)];
  const message = err instanceof PeapodError || code !== 500 ? errorMessage(err) : `Internal error occurred: ${errorMessage(err)}`;
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}
