// The kube layer's validation (the same as `peapod apply`'s), answered as the API server answers:
// 422 Invalid with one cause per field, unknown fields reported to the caller's fieldValidation policy.
import { validateObject, withoutNulls } from '../../kube/validate.js';
import type { WriteOptions } from '../resource.js';
import { badRequest, invalid } from '../status.js';
import { text } from '../table.js';

const UNKNOWN_FIELD = /^unknown field/;

export function validateForApi(body: Record<string, unknown>, kind: string, options: WriteOptions): Record<string, unknown> {
  const value = withoutNulls(body) as Record<string, unknown>;
  if (value['kind'] !== undefined && value['kind'] !== kind)
    throw badRequest(`the kind of the object (${text(value['kind'], 'unknown')}) does not match the resource (${kind})`);
  const complete: Record<string, unknown> = { ...value, apiVersion: value['apiVersion'] ?? 'v1', kind };
  const name = text((complete['metadata'] as Record<string, unknown> | undefined)?.['name'], '');
  const { errors, warnings } = validateObject(complete);
  const unknown = warnings.filter((w) => UNKNOWN_FIELD.test(w.message)).map((w) => w.path);
  if (unknown.length > 0 && options.fieldValidation === 'Strict') {
    const list = unknown.map((p) => `unknown field ${JSON.stringify(p)}`).join(', ');
    throw badRequest(`${kind} in version "v1" cannot be handled as a ${kind}: strict decoding error: ${list}`);
  }
  for (const path of unknown) options.onUnknownField(path);
  if (errors.length > 0) throw invalid(kind, name, errors);
  return complete;
}
