// What the workload kinds share: the label selector that must select the pod template's labels, and
// the pod template, validated with the Pod's own rules under its field path.
import { SHAPES, type Finding, type Shape } from '../schema.js';
import { validatePodSpec } from '../validate-pod.js';
import { checkAnnotations, checkLabels } from '../names.js';
import { selectorIsEmpty, selectorMatches, validateLabelSelector, type LabelSelector } from '../label-selector.js';
import { isRecord, text } from './kind.js';

const { str, obj, arr, strArr, strMap } = SHAPES;

export const LABEL_SELECTOR_SHAPE: Shape = obj({
  matchLabels: strMap,
  matchExpressions: arr(obj({ key: str, operator: str, values: strArr }, ['key', 'operator'])),
});

const templateMetadata = obj({ name: str, namespace: str, labels: strMap, annotations: strMap, generateName: str, creationTimestamp: SHAPES.any });
export const POD_TEMPLATE_SHAPE: Shape = obj({ metadata: templateMetadata, spec: SHAPES.podSpec }, ['spec']);

/** The Pod's spec rules under `<path>.spec` (validate-pod.ts reports paths from `spec.`). */
export function validatePodTemplate(template: Record<string, unknown>, path: string, errors: Finding[]): void {
  const metadata = isRecord(template['metadata']) ? template['metadata'] : {};
  checkLabels(metadata['labels'], `${path}.metadata.labels`, errors);
  checkAnnotations(metadata['annotations'], `${path}.metadata.annotations`, errors);
  const found: Finding[] = [];
  validatePodSpec(isRecord(template['spec']) ? template['spec'] : {}, found);
  for (const f of found) errors.push({ path: f.path.replace(/^spec(?=\.|$)/, `${path}.spec`), message: f.message });
}

/** ValidateDeploymentSpec & co: a non-empty selector that selects the template's labels. */
export function validateSelectorAndTemplate(
  spec: Record<string, unknown>,
  errors: Finding[],
  options: { kind: string; restartPolicies?: readonly string[] },
): void {
  const selector = spec['selector'] as LabelSelector | undefined;
  const template = isRecord(spec['template']) ? spec['template'] : undefined;
  if (selector === undefined) errors.push({ path: 'spec.selector', message: 'Required value' });
  else if (selectorIsEmpty(selector))
    errors.push({ path: 'spec.selector', message: `Invalid value: {}: empty selector is invalid for ${options.kind.toLowerCase()}` });
  else validateLabelSelector(selector, 'spec.selector', errors);
  if (!template) {
    errors.push({ path: 'spec.template', message: 'Required value' });
    return;
  }
  validatePodTemplate(template, 'spec.template', errors);
  const labels = (isRecord(template['metadata']) ? template['metadata']['labels'] : undefined) as Record<string, string> | undefined;
  if (selector !== undefined && !selectorIsEmpty(selector) && !selectorMatches(selector, labels)) {
    errors.push({
      path: 'spec.template.metadata.labels',
      message: `Invalid value: ${JSON.stringify(labels ?? {})}: \`selector\` does not match template \`labels\``,
    });
  }
  const policy = isRecord(template['spec']) ? (template['spec']['restartPolicy'] ?? 'Always') : 'Always';
  const allowed = options.restartPolicies ?? ['Always'];
  if (!allowed.includes(text(policy)))
    errors.push({
      path: 'spec.template.spec.restartPolicy',
      message: `Unsupported value: ${JSON.stringify(policy)}: supported values: ${allowed.map((p) => `"${p}"`).join(', ')}`,
    });
}

/** A non-negative integer field, with the API server's message. */
export function checkNonNegative(value: unknown, path: string, errors: Finding[]): void {
  if (typeof value === 'number' && value < 0) errors.push({ path, message: `Invalid value: ${value}: must be greater than or equal to 0` });
}
