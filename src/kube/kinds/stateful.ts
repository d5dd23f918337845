// apps/v1 StatefulSet and DaemonSet. The base's shapes and checks: the wl-stateful work owns this file
// and fills in its specific fields (updateStrategy, podManagementPolicy, volumeClaimTemplates, ...).
import { SHAPES, type Finding } from '../schema.js';
import { formatSelector, type LabelSelector } from '../label-selector.js';
import { defaultPodSpec } from '../defaults.js';
import { LABEL_SELECTOR_SHAPE, POD_TEMPLATE_SHAPE, validateSelectorAndTemplate } from './template.js';
import type { ApiObject, KindInfo } from './kind.js';
import type { PodTemplateSpec } from './apps.js';

const { str, nonNeg, obj, any, metadata } = SHAPES;

interface TemplatedSpec {
  readonly replicas?: number;
  readonly selector: LabelSelector;
  readonly template: PodTemplateSpec;
}

const num = (v: unknown): string => String(typeof v === 'number' ? v : 0);
const statusOf = (o: ApiObject): Record<string, unknown> => (o.status ?? {}) as Record<string, unknown>;
const withTemplateDefaults = (object: ApiObject): ApiObject => {
  const spec = object.spec as TemplatedSpec;
  return { ...object, spec: { ...spec, template: { ...spec.template, spec: defaultPodSpec(spec.template.spec) } } };
};

export const STATEFULSET_KIND: KindInfo = {
  kind: 'StatefulSet',
  apiVersion: 'apps/v1',
  plural: 'statefulsets',
  singular: 'statefulset',
  shortNames: ['sts'],
  namespaced: true,
  applyOrder: 62,
  shape: obj(
    {
      apiVersion: str,
      kind: str,
      metadata,
      spec: obj(
        {
          replicas: nonNeg,
          selector: LABEL_SELECTOR_SHAPE,
          template: POD_TEMPLATE_SHAPE,
          serviceName: str,
          podManagementPolicy: str,
          updateStrategy: any,
          volumeClaimTemplates: any,
          revisionHistoryLimit: nonNeg,
          minReadySeconds: nonNeg,
          persistentVolumeClaimRetentionPolicy: any,
          ordinals: any,
        },
        ['selector', 'template'],
      ),
      status: any,
    },
    ['metadata', 'spec'],
  ),
  validate: (value: Record<string, unknown>, errors: Finding[]) =>
    validateSelectorAndTemplate(value['spec'] as Record<string, unknown>, errors, { kind: 'StatefulSet' }),
  defaults: (object) => {
    const o = withTemplateDefaults(object);
    const spec = o.spec as TemplatedSpec & Record<string, unknown>;
    return { ...o, spec: { ...spec, replicas: spec.replicas ?? 1, podManagementPolicy: spec['podManagementPolicy'] ?? 'OrderedReady' } };
  },
  columns: [{ header: 'READY', value: (o) => `${num(statusOf(o)['readyReplicas'])}/${num((o.spec as TemplatedSpec).replicas)}` }],
  wideColumns: [{ header: 'SELECTOR', value: (o) => formatSelector((o.spec as TemplatedSpec).selector) }],
};

export const DAEMONSET_KIND: KindInfo = {
  kind: 'DaemonSet',
  apiVersion: 'apps/v1',
  plural: 'daemonsets',
  singular: 'daemonset',
  shortNames: ['ds'],
  namespaced: true,
  applyOrder: 63,
  shape: obj(
    {
      apiVersion: str,
      kind: str,
      metadata,
      spec: obj({ selector: LABEL_SELECTOR_SHAPE, template: POD_TEMPLATE_SHAPE, updateStrategy: any, minReadySeconds: nonNeg, revisionHistoryLimit: nonNeg }, [
        'selector',
        'template',
      ]),
      status: any,
    },
    ['metadata', 'spec'],
  ),
  validate: (value: Record<string, unknown>, errors: Finding[]) =>
    validateSelectorAndTemplate(value['spec'] as Record<string, unknown>, errors, { kind: 'DaemonSet' }),
  defaults: withTemplateDefaults,
  columns: [
    { header: 'DESIRED', value: (o) => num(statusOf(o)['desiredNumberScheduled']) },
    { header: 'CURRENT', value: (o) => num(statusOf(o)['currentNumberScheduled']) },
    { header: 'READY', value: (o) => num(statusOf(o)['numberReady']) },
    { header: 'UP-TO-DATE', value: (o) => num(statusOf(o)['updatedNumberScheduled']) },
    { header: 'AVAILABLE', value: (o) => num(statusOf(o)['numberAvailable']) },
    { header: 'NODE SELECTOR', value: (o) => formatNodeSelector(o) },
  ],
};

function formatNodeSelector(o: ApiObject): string {
  const selector = ((o.spec as { template?: PodTemplateSpec }).template?.spec as { nodeSelector?: Record<string, string> } | undefined)?.nodeSelector;
  const text = Object.entries(selector ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return text || '<none>';
}
