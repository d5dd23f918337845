// apps/v1 StatefulSet, DaemonSet and ControllerRevision: shapes, the API server's rules
// (pkg/apis/apps/validation, in ../validate-stateful.ts), its defaults (pkg/apis/apps/v1/defaults.go) and
// kubectl's columns.
import { SHAPES, type Finding } from '../schema.js';
import type { LabelSelector } from '../label-selector.js';
import { defaultPodSpec } from '../defaults.js';
import { LABEL_SELECTOR_SHAPE, POD_TEMPLATE_SHAPE, validateSelectorAndTemplate } from './template.js';
import { isRecord, type ApiObject, type KindInfo } from './kind.js';
import type { DaemonSetSpec, StatefulSetSpec } from '../stateful-types.js';
import { checkStatefulSetUpdate, validateDaemonSetFields, validateStatefulSetFields } from '../validate-stateful.js';
import { WORKLOAD_WIDE, type PodTemplateSpec } from './apps.js';

const { str, int, nonNeg, obj, arr, any, intOrString, metadata, strArr, strMap } = SHAPES;

const CLAIM_SPEC_SHAPE = obj({
  accessModes: strArr,
  resources: obj({ requests: strMap, limits: strMap }),
  storageClassName: str,
  volumeMode: str,
  volumeName: str,
  selector: LABEL_SELECTOR_SHAPE,
  dataSource: any,
  dataSourceRef: any,
});
const CLAIM_TEMPLATE_SHAPE = obj({ metadata: obj({ name: str, labels: strMap, annotations: strMap }, ['name']), spec: CLAIM_SPEC_SHAPE }, ['metadata']);

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

/**
 * The template as its pods get it: each volumeClaimTemplate is a volume (replacing a template volume of
 * that name), so volumeMounts may name the claim templates.
 */
function withClaimVolumes(spec: Record<string, unknown>): Record<string, unknown> {
  const template = isRecord(spec['template']) ? spec['template'] : undefined;
  const podSpec = template && isRecord(template['spec']) ? template['spec'] : undefined;
  const claims = Array.isArray(spec['volumeClaimTemplates']) ? spec['volumeClaimTemplates'].filter(isRecord) : [];
  if (!template || !podSpec || claims.length === 0) return spec;
  const names = claims.map((c) => (isRecord(c['metadata']) ? c['metadata']['name'] : undefined)).filter((n): n is string => typeof n === 'string');
  const listed: unknown[] = Array.isArray(podSpec['volumes']) ? (podSpec['volumes'] as unknown[]) : [];
  const own = listed.filter((v) => !(isRecord(v) && names.includes(v['name'] as string)));
  const volumes = [...own, ...names.map((name) => ({ name, persistentVolumeClaim: { claimName: name } }))];
  return { ...spec, template: { ...template, spec: { ...podSpec, volumes } } };
}

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
          updateStrategy: obj({ type: str, rollingUpdate: obj({ partition: int, maxUnavailable: intOrString }) }),
          volumeClaimTemplates: arr(CLAIM_TEMPLATE_SHAPE),
          revisionHistoryLimit: nonNeg,
          minReadySeconds: nonNeg,
          persistentVolumeClaimRetentionPolicy: obj({ whenDeleted: str, whenScaled: str }),
          ordinals: obj({ start: int }),
        },
        ['selector', 'template'],
      ),
      status: any,
    },
    ['metadata', 'spec'],
  ),
  validate: (value: Record<string, unknown>, errors: Finding[]) => {
    validateSelectorAndTemplate(withClaimVolumes(value['spec'] as Record<string, unknown>), errors, { kind: 'StatefulSet' });
    validateStatefulSetFields(value, errors);
  },
  validateUpdate: (before, after) => checkStatefulSetUpdate(before, after),
  defaults: (object) => {
    const o = withTemplateDefaults(object);
    const spec = o.spec as StatefulSetSpec;
    const strategy = spec.updateStrategy ?? { type: 'RollingUpdate' };
    return {
      ...o,
      spec: {
        ...spec,
        replicas: spec.replicas ?? 1,
        podManagementPolicy: spec.podManagementPolicy ?? 'OrderedReady',
        // defaults.go: RollingUpdate with partition 0; OnDelete has no rollingUpdate.
        updateStrategy:
          (strategy.type ?? 'RollingUpdate') === 'RollingUpdate'
            ? { ...strategy, type: 'RollingUpdate', rollingUpdate: { ...strategy.rollingUpdate, partition: strategy.rollingUpdate?.partition ?? 0 } }
            : strategy,
        revisionHistoryLimit: spec.revisionHistoryLimit ?? 10,
        persistentVolumeClaimRetentionPolicy: {
          whenDeleted: spec.persistentVolumeClaimRetentionPolicy?.whenDeleted ?? 'Retain',
          whenScaled: spec.persistentVolumeClaimRetentionPolicy?.whenScaled ?? 'Retain',
        },
        ...(spec.volumeClaimTemplates
          ? { volumeClaimTemplates: spec.volumeClaimTemplates.map((t) => ({ ...t, spec: { volumeMode: 'Filesystem', ...t.spec } })) }
          : {}),
      },
    };
  },
  columns: [{ header: 'READY', value: (o) => `${num(statusOf(o)['readyReplicas'])}/${num((o.spec as TemplatedSpec).replicas)}` }],
  // kubectl get sts -o wide: CONTAINERS IMAGES (no selector column, unlike deployments and daemonsets).
  wideColumns: WORKLOAD_WIDE.filter((c) => c.header !== 'SELECTOR'),
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
      spec: obj(
        {
          selector: LABEL_SELECTOR_SHAPE,
          template: POD_TEMPLATE_SHAPE,
          updateStrategy: obj({ type: str, rollingUpdate: obj({ maxUnavailable: intOrString, maxSurge: intOrString }) }),
          minReadySeconds: nonNeg,
          revisionHistoryLimit: nonNeg,
        },
        ['selector', 'template'],
      ),
      status: any,
    },
    ['metadata', 'spec'],
  ),
  validate: (value: Record<string, unknown>, errors: Finding[]) => {
    validateSelectorAndTemplate(value['spec'] as Record<string, unknown>, errors, { kind: 'DaemonSet' });
    validateDaemonSetFields(value, errors);
  },
  defaults: (object) => {
    const o = withTemplateDefaults(object);
    const spec = o.spec as DaemonSetSpec;
    const strategy = spec.updateStrategy ?? { type: 'RollingUpdate' };
    return {
      ...o,
      spec: {
        ...spec,
        // defaults.go: RollingUpdate with maxUnavailable 1 and maxSurge 0.
        updateStrategy:
          (strategy.type ?? 'RollingUpdate') === 'RollingUpdate'
            ? { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0, ...strategy.rollingUpdate } }
            : strategy,
        revisionHistoryLimit: spec.revisionHistoryLimit ?? 10,
      },
    };
  },
  columns: [
    { header: 'DESIRED', value: (o) => num(statusOf(o)['desiredNumberScheduled']) },
    { header: 'CURRENT', value: (o) => num(statusOf(o)['currentNumberScheduled']) },
    { header: 'READY', value: (o) => num(statusOf(o)['numberReady']) },
    { header: 'UP-TO-DATE', value: (o) => num(statusOf(o)['updatedNumberScheduled']) },
    { header: 'AVAILABLE', value: (o) => num(statusOf(o)['numberAvailable']) },
    { header: 'NODE SELECTOR', value: (o) => formatNodeSelector(o) },
  ],
  wideColumns: WORKLOAD_WIDE,
};

function formatNodeSelector(o: ApiObject): string {
  const selector = ((o.spec as { template?: PodTemplateSpec }).template?.spec as { nodeSelector?: Record<string, string> } | undefined)?.nodeSelector;
  const text = Object.entries(selector ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return text || '<none>';
}

/** apps/v1 ControllerRevision: the templates a StatefulSet or DaemonSet has had (kubectl get controllerrevisions). */
export const CONTROLLERREVISION_KIND: KindInfo = {
  kind: 'ControllerRevision',
  apiVersion: 'apps/v1',
  plural: 'controllerrevisions',
  singular: 'controllerrevision',
  shortNames: [],
  namespaced: true,
  applyOrder: 64,
  shape: obj({ apiVersion: str, kind: str, metadata, data: any, revision: int }, ['metadata', 'revision']),
  validate: () => undefined,
  defaults: (object) => object,
  specFields: ['data', 'revision'],
  columns: [
    {
      header: 'CONTROLLER',
      value: (o) => {
        const owner = o.metadata.ownerReferences?.find((r) => r.controller === true);
        return owner ? `${owner.kind.toLowerCase()}.${owner.apiVersion.split('/')[0] ?? ''}/${owner.name}` : '<none>';
      },
    },
    { header: 'REVISION', value: (o) => num(isRecord(o) ? o['revision'] : 0) },
  ],
};
