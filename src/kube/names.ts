// Name and label syntax rules of the API server (k8s.io/apimachinery/pkg/util/validation).
import type { Finding } from './schema.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
export const DNS1123_LABEL_MAX = 63;
export const DNS1123_SUBDOMAIN_MAX = 253;
/** Total size of all annotations (256 KiB), as the API server limits it. */
const ANNOTATIONS_MAX_BYTES = 256 * 1024;

const show = (v: unknown): string => JSON.stringify(typeof v === 'string' && v.length > 80 ? `${v.slice(0, 80)}…` : v);

export function checkDns1123Label(value: unknown, path: string, errors: Finding[]): void {
  if (typeof value !== 'string' || value === '') {
    errors.push({ path, message: 'Required value' });
    return;
  }
  if (value.length > DNS1123_LABEL_MAX || !DNS1123_LABEL.test(value)) {
    errors.push({
      path,
      message: `Invalid value: ${show(value)}: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', start and end with an alphanumeric character, and be at most ${DNS1123_LABEL_MAX} characters (e.g. 'my-name', or '123-abc')`,
    });
  }
}

export function checkDns1123Subdomain(value: unknown, path: string, errors: Finding[]): void {
  if (typeof value !== 'string' || value === '') {
    errors.push({ path, message: 'Required value: name or generateName is required' });
    return;
  }
  if (value.length > DNS1123_SUBDOMAIN_MAX || !DNS1123_SUBDOMAIN.test(value)) {
    errors.push({
      path,
      message: `Invalid value: ${show(value)}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')`,
    });
  }
}

export function checkPortName(value: string, path: string, errors: Finding[]): void {
  if (value.length > 15 || !IANA_SVC_NAME.test(value) || !/[a-z]/.test(value) || value.includes('--')) {
    errors.push({
      path,
      message: `Invalid value: ${show(value)}: must be no more than 15 characters, contain only lowercase alphanumerics and '-', contain at least one letter, and not start, end or contain '--'`,
    });
  }
}

function checkQualifiedKey(key: string, path: string, errors: Finding[]): void {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > DNS1123_SUBDOMAIN_MAX || !DNS1123_SUBDOMAIN.test(prefix))) {
    errors.push({ path, message: `Invalid value: ${show(key)}: prefix part must be a lowercase RFC 1123 subdomain` });
  }
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    errors.push({
      path,
      message: `Invalid value: ${show(key)}: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character, at most 63 characters`,
    });
  }
}

export function checkLabels(labels: unknown, path: string, errors: Finding[]): void {
  if (typeof labels !== 'object' || labels === null) return;
  for (const [key, value] of Object.entries(labels)) {
    checkQualifiedKey(key, `${path}[${JSON.stringify(key)}]`, errors);
    if (typeof value === 'string' && (value.length > 63 || !LABEL_VALUE.test(value))) {
      errors.push({
        path: `${path}[${JSON.stringify(key)}]`,
        message: `Invalid value: ${show(value)}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character, at most 63 characters`,
      });
    }
  }
}

export function checkAnnotations(annotations: unknown, path: string, errors: Finding[]): void {
  if (typeof annotations !== 'object' || annotations === null) return;
  let total = 0;
  for (const [key, value] of Object.entries(annotations)) {
    checkQualifiedKey(key, `${path}[${JSON.stringify(key)}]`, errors);
    total += key.length + String(value).length;
  }
  if (total > ANNOTATIONS_MAX_BYTES) errors.push({ path, message: `Too long: must have at most ${ANNOTATIONS_MAX_BYTES} bytes` });
}
