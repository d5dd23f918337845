// Validation like the API server's (pkg/apis/core/validation): structure and types first (schema.ts),
// then the semantic rules, every finding with its field path; all findings of an object are collected.
import { PeapodError } from '../common/errors.js';
import { CONFIGMAP_SHAPE, POD_SHAPE, SECRET_SHAPE, checkShape, type Finding } from './schema.js';
import { isQuantity, parseQuantity } from './quantity.js';
import { validatePodSpec } from './validate-pod.js';
import { checkDns1123Label, checkDns1123Subdomain, checkLabels, checkAnnotations } from './names.js';
import { KINDS, kindInfo, type KindInfo } from './kinds/index.js';
import type { ManifestObject } from './manifest-object.js';

export interface ValidationResult {
  readonly errors: readonly Finding[];
  readonly warnings: readonly Finding[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function validateObject(value: unknown): ValidationResult {
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  if (!isRecord(value)) return { errors: [{ path: '', message: 'expected an object with apiVersion and kind' }], warnings };
  const { apiVersion, kind } = value;
  const info = typeof kind === 'string' ? kindInfo(kind) : undefined;
  if (info) return validateRegistered(value, info);
  if (apiVersion !== 'v1') errors.push({ path: 'apiVersion', message: `Unsupported value: ${JSON.stringify(apiVersion)}: supported values: "v1"` });
  const shape = kind === 'Pod' ? POD_SHAPE : kind === 'ConfigMap' ? CONFIGMAP_SHAPE : kind === 'Secret' ? SECRET_SHAPE : undefined;
  if (!shape) {
    errors.push({ path: 'kind', message: `Unsupported value: ${JSON.stringify(kind)}: supported values: ${SUPPORTED_KINDS}` });
    return { errors, warnings };
  }
  checkShape(value, shape, '', errors, warnings);
  if (errors.length > 0) return { errors, warnings };
  checkMetadata(value['metadata'] as Record<string, unknown>, errors);
  if (kind === 'Pod') validatePodSpec(value['spec'] as Record<string, unknown>, errors);
  if (kind === 'ConfigMap' || kind === 'Secret') validateData(value, kind, errors);
  return { errors, warnings };
}

const SUPPORTED_KINDS = ['Pod', 'ConfigMap', 'Secret', ...KINDS.map((k) => k.kind)].map((k) => `"${k}"`).join(', ');

function checkMetadata(metadata: Record<string, unknown>, errors: Finding[]): void {
  checkDns1123Subdomain(metadata['name'], 'metadata.name', errors);
  if (metadata['namespace'] !== undefined) checkDns1123Label(metadata['namespace'], 'metadata.namespace', errors);
  checkLabels(metadata['labels'], 'metadata.labels', errors);
  checkAnnotations(metadata['annotations'], 'metadata.annotations', errors);
}

/** A kind of kube/kinds/: its group's apiVersion, its shape, the metadata rules, then its own rules. */
function validateRegistered(value: Record<string, unknown>, info: KindInfo): ValidationResult {
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  if (value['apiVersion'] !== info.apiVersion)
    errors.push({ path: 'apiVersion', message: `Unsupported value: ${JSON.stringify(value['apiVersion'])}: supported values: "${info.apiVersion}"` });
  checkShape(value, info.shape, '', errors, warnings);
  if (errors.length > 0) return { errors, warnings };
  checkMetadata(value['metadata'] as Record<string, unknown>, errors);
  info.validate(value, errors);
  return { errors, warnings };
}

const DATA_KEY = /^[-._a-zA-Z0-9]+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** The API server's limit on a ConfigMap's or Secret's total data (1 MiB). */
const MAX_DATA_BYTES = 1024 * 1024;

function validateData(value: Record<string, unknown>, kind: 'ConfigMap' | 'Secret', errors: Finding[]): void {
  const fields = kind === 'ConfigMap' ? ['data', 'binaryData'] : ['data', 'stringData'];
  let total = 0;
  const seen = new Set<string>();
  for (const field of fields) {
    const data = value[field];
    if (!isRecord(data)) continue;
    for (const [key, v] of Object.entries(data)) {
      const path = `${field}[${JSON.stringify(key)}]`;
      if (!DATA_KEY.test(key) || key === '.' || key === '..' || key.length > 253) {
        errors.push({ path, message: `Invalid value: ${JSON.stringify(key)}: a valid key must consist of alphanumeric characters, '-', '_' or '.'` });
      }
      if (kind === 'ConfigMap' && seen.has(key)) errors.push({ path, message: `Invalid value: ${JSON.stringify(key)}: duplicate of key present in data` });
      seen.add(key);
      const text = String(v);
      if ((field === 'binaryData' || (kind === 'Secret' && field === 'data')) && !BASE64.test(text)) {
        errors.push({ path, message: 'Invalid value: illegal base64 data' });
      }
      total += text.length;
    }
  }
  if (total > MAX_DATA_BYTES) errors.push({ path: 'data', message: `Too long: must have at most ${MAX_DATA_BYTES} bytes` });
}

/** Nesting beyond this is refused before validation anyway (load.ts MAX_NESTING_DEPTH); only a bound here. */
const MAX_NULL_STRIP_DEPTH = 100;

/**
 * A copy without object fields whose value is null: for the API server `field: null` is the field left
 * out (`emptyDir: null` is no volume source, `httpGet: null` no handler), and so it must be here, for the
 * validation as for everything after it. Array items stay: `containers: [null]` is an error.
 */
export function withoutNulls(value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null || depth > MAX_NULL_STRIP_DEPTH) return value;
  if (Array.isArray(value)) return value.map((item: unknown) => withoutNulls(item, depth + 1));
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field !== null) Object.defineProperty(out, key, { value: withoutNulls(field, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Validates objects received without source positions (the daemon's API); throws one error listing all findings. */
export function validateObjects(raw: readonly unknown[]): ManifestObject[] {
  const problems: string[] = [];
  const values = raw.map((value) => withoutNulls(value));
  values.forEach((value, i) => {
    const { errors } = validateObject(value);
    const name = isRecord(value) && isRecord(value['metadata']) ? String(value['metadata']['name']) : `#${i}`;
    const kind = isRecord(value) ? String(value['kind']) : 'object';
    for (const e of errors) problems.push(`${kind} "${name}": ${e.path ? `${e.path}: ` : ''}${e.message}`);
  });
  if (problems.length > 0) throw new PeapodError('InvalidArgument', `invalid manifest:\n${problems.join('\n')}`);
  return values as ManifestObject[];
}

export { isQuantity, parseQuantity };
