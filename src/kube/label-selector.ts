// metav1.LabelSelector: matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist), ANDed, as
// apimachinery's LabelSelectorAsSelector evaluates them. An empty selector matches everything; workload
// validation refuses an empty one where the API server does.
import type { Finding } from './schema.js';
import { checkLabels } from './names.js';

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values?: readonly string[];
}

export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

type Labels = Readonly<Record<string, string>> | undefined;

export function selectorMatches(selector: LabelSelector | undefined, labels: Labels): boolean {
  if (!selector) return false;
  const get = (key: string): string | undefined => labels?.[key];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (get(key) !== value) return false;
  for (const r of selector.matchExpressions ?? []) {
    const value = get(r.key);
    const values = r.values ?? [];
    if (r.operator === 'In' && (value === undefined || !values.includes(value))) return false;
    if (r.operator === 'NotIn' && value !== undefined && values.includes(value)) return false;
    if (r.operator === 'Exists' && value === undefined) return false;
    if (r.operator === 'DoesNotExist' && value !== undefined) return false;
  }
  return true;
}

export function selectorIsEmpty(selector: LabelSelector | undefined): boolean {
  return !selector || (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0);
}

/** kubectl's text form: `app=web,tier in (a,b)`. */
export function formatSelector(selector: LabelSelector | undefined): string {
  if (!selector) return '<none>';
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const r of selector.matchExpressions ?? []) {
    if (r.operator === 'Exists') parts.push(r.key);
    else if (r.operator === 'DoesNotExist') parts.push(`!${r.key}`);
    else parts.push(`${r.key} ${r.operator === 'In' ? 'in' : 'notin'} (${[...(r.values ?? [])].sort().join(',')})`);
  }
  return parts.length ? parts.join(',') : '<none>';
}

const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** ValidateLabelSelector: keys and values as labels, In/NotIn need values, Exists/DoesNotExist none. */
export function validateLabelSelector(selector: LabelSelector, path: string, errors: Finding[]): void {
  checkLabels(selector.matchLabels, `${path}.matchLabels`, errors);
  (selector.matchExpressions ?? []).forEach((r, i) => {
    const at = `${path}.matchExpressions[${i}]`;
    if (!OPERATORS.includes(r.operator)) {
      errors.push({
        path: `${at}.operator`,
        message: `Unsupported value: ${JSON.stringify(r.operator)}: supported values: "In", "NotIn", "Exists", "DoesNotExist"`,
      });
      return;
    }
    const has = (r.values ?? []).length > 0;
    if ((r.operator === 'In' || r.operator === 'NotIn') && !has)
      errors.push({ path: `${at}.values`, message: "Required value: must be specified when `operator` is 'In' or 'NotIn'" });
    if ((r.operator === 'Exists' || r.operator === 'DoesNotExist') && has)
      errors.push({ path: `${at}.values`, message: "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'" });
    checkLabels({ [r.key]: '' }, `${at}.key`, errors);
  });
}
