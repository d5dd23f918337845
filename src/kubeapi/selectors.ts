// Label and field selectors (apimachinery/pkg/labels and pkg/fields): `a=b`, `a==b`, `a!=b`, `a in (x,y)`,
// `a notin (x)`, `a`, `!a` for labels; `path=value` / `path!=value` on object fields for fields.
import { badRequest } from './status.js';
import type { KubeObj } from './table.js';

type Test = (get: (key: string) => string | undefined) => boolean;

/** Splits on commas outside parentheses. */
function terms(selector: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim() !== '') out.push(current.trim());
  return out.filter((t) => t !== '');
}

function parseTerm(term: string, kind: 'label' | 'field'): Test {
  const set = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
  if (set && kind === 'label') {
    const [, key = '', op, list = ''] = set;
    const values = list.split(',').map((v) => v.trim());
    return (get) => {
      const v = get(key);
      return op === 'in' ? v !== undefined && values.includes(v) : v === undefined || !values.includes(v);
    };
  }
  const cmp = /^([^\s!=]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
  if (cmp) {
    const [, key = '', op, value = ''] = cmp;
    return op === '!=' ? (get) => get(key) !== value : (get) => get(key) === value;
  }
  if (kind === 'label' && /^!?[^\s!=(),]+$/.test(term)) {
    const negated = term.startsWith('!');
    const key = negated ? term.slice(1) : term;
    return (get) => (get(key) !== undefined) !== negated;
  }
  throw badRequest(`unable to parse requirement: ${JSON.stringify(term)}`);
}

export function parseSelector(selector: string | null, kind: 'label' | 'field'): (object: KubeObj) => boolean {
  if (selector === null || selector.trim() === '') return () => true;
  const tests = terms(selector).map((t) => parseTerm(t, kind));
  if (kind === 'label') {
    return (o) => {
      const labels = (o.metadata['labels'] ?? {}) as Record<string, string>;
      return tests.every((t) => t((k) => labels[k]));
    };
  }
  return (o) => tests.every((t) => t((path) => fieldValue(o, path)));
}

/** A field selector's path read from the object (`metadata.name`, `spec.nodeName`, `status.phase`, `involvedObject.uid`). */
function fieldValue(object: KubeObj, path: string): string | undefined {
  let current: unknown = object;
  for (const part of path.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  if (current === undefined || current === null) return '';
  return typeof current === 'string' ? current : JSON.stringify(current);
}
