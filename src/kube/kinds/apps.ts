// apps/v1 Deployment and ReplicaSet (k8s.io/api/apps/v1): types, shapes, the API server's validation
// (pkg/apis/apps/validation) and defaults (pkg/apis/apps/v1/defaults.go), and kubectl's columns.
import { SHAPES, type Finding } from '../schema.js';
import { formatSelector, type LabelSelector } from '../label-selector.js';
import type { PodSpec, ObjectMeta } from '../types.js';
import { defaultPodSpec } from '../defaults.js';
import { LABEL_SELECTOR_SHAPE, POD_TEMPLATE_SHAPE, checkNonNegative, validateSelectorAndTemplate } from './template.js';
import { isRecord, text, type ApiObject, type Column, type KindInfo } from './kind.js';

const { str, int, nonNeg, obj, any, intOrString, metadata } = SHAPES;

export interface PodTemplateSpec {
  readonly metadata?: Partial<ObjectMeta>;
  readonly spec: PodSpec;
}

export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly lastUpdateTime?: string;
  readonly lastTransitionTime?: string;
  readonly reason?: string;
  readonly message?: string;
}

export interface DeploymentStrategy {
  readonly type?: 'RollingUpdate' | 'Recreate';
  readonly rollingUpdate?: { readonly maxUnavailable?: number | string; readonly maxSurge?: number | string };
}

export interface DeploymentSpec {
  readonly replicas?: number;
  readonly selector: LabelSelector;
  readonly template: PodTemplateSpec;
  readonly strategy?: DeploymentStrategy;
  readonly minReadySeconds?: number;
  readonly revisionHistoryLimit?: number;
  readonly paused?: boolean;
  readonly progressDeadlineSeconds?: number;
}

export interface DeploymentStatus {
  readonly observedGeneration?: number;
  readonly replicas?: number;
  readonly updatedReplicas?: number;
  readonly readyReplicas?: number;
  readonly availableReplicas?: number;
  readonly unavailableReplicas?: number;
  readonly collisionCount?: number;
  readonly conditions?: readonly Condition[];
}

export interface Deployment extends ApiObject {
  readonly apiVersion: 'apps/v1';
  readonly kind: 'Deployment';
  readonly spec: DeploymentSpec;
  readonly status?: DeploymentStatus;
}

export interface ReplicaSetSpec {
  readonly replicas?: number;
  readonly minReadySeconds?: number;
  readonly selector: LabelSelector;
  readonly template: PodTemplateSpec;
}

export interface ReplicaSetStatus {
  readonly replicas: number;
  readonly fullyLabeledReplicas?: number;
  readonly readyReplicas?: number;
  readonly availableReplicas?: number;
  readonly observedGeneration?: number;
  readonly conditions?: readonly Condition[];
}

export interface ReplicaSet extends ApiObject {
  readonly apiVersion: 'apps/v1';
  readonly kind: 'ReplicaSet';
  readonly spec: ReplicaSetSpec;
  readonly status?: ReplicaSetStatus;
}

const DEPLOYMENT_SHAPE = obj(
  {
    apiVersion: str,
    kind: str,
    metadata,
    spec: obj(
      {
        replicas: nonNeg,
        selector: LABEL_SELECTOR_SHAPE,
        template: POD_TEMPLATE_SHAPE,
        strategy: obj({ type: str, rollingUpdate: obj({ maxUnavailable: intOrString, maxSurge: intOrString }) }),
        minReadySeconds: nonNeg,
        revisionHistoryLimit: nonNeg,
        paused: SHAPES.bool,
        progressDeadlineSeconds: int,
      },
      ['selector', 'template'],
    ),
    status: any,
  },
  ['metadata', 'spec'],
);

const REPLICASET_SHAPE = obj(
  {
    apiVersion: str,
    kind: str,
    metadata,
    spec: obj({ replicas: nonNeg, minReadySeconds: nonNeg, selector: LABEL_SELECTOR_SHAPE, template: POD_TEMPLATE_SHAPE }, ['selector']),
    status: any,
  },
  ['metadata', 'spec'],
);

const PERCENT = /^(\d+)%$/;

/** ValidatePositiveIntOrPercent + IsNotMoreThan100Percent. */
function checkIntOrPercent(value: unknown, path: string, errors: Finding[], atMost100: boolean): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') {
    checkNonNegative(value, path, errors);
    return value;
  }
  const m = PERCENT.exec(text(value));
  if (!m) {
    errors.push({
      path,
      message: `Invalid value: ${JSON.stringify(value)}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%')`,
    });
    return undefined;
  }
  const percent = Number(m[1]);
  if (atMost100 && percent > 100) errors.push({ path, message: `Invalid value: ${JSON.stringify(value)}: must not be greater than 100%` });
  return percent;
}

function validateDeployment(value: Record<string, unknown>, errors: Finding[]): void {
  const spec = value['spec'] as Record<string, unknown>;
  validateSelectorAndTemplate(spec, errors, { kind: 'Deployment' });
  const strategy = isRecord(spec['strategy']) ? spec['strategy'] : {};
  const type = strategy['type'] ?? 'RollingUpdate';
  if (type !== 'RollingUpdate' && type !== 'Recreate')
    errors.push({ path: 'spec.strategy.type', message: `Unsupported value: ${JSON.stringify(type)}: supported values: "Recreate", "RollingUpdate"` });
  const rolling = isRecord(strategy['rollingUpdate']) ? strategy['rollingUpdate'] : undefined;
  if (type === 'Recreate' && rolling)
    errors.push({ path: 'spec.strategy.rollingUpdate', message: "Forbidden: may not be specified when strategy `type` is 'Recreate'" });
  if (type === 'RollingUpdate' && rolling) {
    const unavailable = checkIntOrPercent(rolling['maxUnavailable'], 'spec.strategy.rollingUpdate.maxUnavailable', errors, true);
    const surge = checkIntOrPercent(rolling['maxSurge'], 'spec.strategy.rollingUpdate.maxSurge', errors, false);
    if (unavailable === 0 && surge === 0)
      errors.push({ path: 'spec.strategy.rollingUpdate.maxUnavailable', message: 'Invalid value: 0: may not be 0 when `maxSurge` is 0' });
  }
  const deadline = spec['progressDeadlineSeconds'];
  if (typeof deadline === 'number') {
    if (deadline <= 0) errors.push({ path: 'spec.progressDeadlineSeconds', message: `Invalid value: ${deadline}: must be greater than 0` });
    else if (deadline <= Number(spec['minReadySeconds'] ?? 0))
      errors.push({ path: 'spec.progressDeadlineSeconds', message: `Invalid value: ${deadline}: must be greater than minReadySeconds` });
  }
}

function validateReplicaSet(value: Record<string, unknown>, errors: Finding[]): void {
  validateSelectorAndTemplate(value['spec'] as Record<string, unknown>, errors, { kind: 'ReplicaSet' });
}

function defaultTemplate(template: PodTemplateSpec): PodTemplateSpec {
  return { ...template, spec: defaultPodSpec(template.spec) };
}

export function defaultDeployment(object: ApiObject): ApiObject {
  const d = object as Deployment;
  const type = d.spec.strategy?.type ?? 'RollingUpdate';
  const strategy: DeploymentStrategy =
    type === 'Recreate'
      ? { type }
      : {
          type,
          rollingUpdate: {
            maxUnavailable: d.spec.strategy?.rollingUpdate?.maxUnavailable ?? '25%',
            maxSurge: d.spec.strategy?.rollingUpdate?.maxSurge ?? '25%',
          },
        };
  const spec: DeploymentSpec = {
    ...d.spec,
    replicas: d.spec.replicas ?? 1,
    strategy,
    revisionHistoryLimit: d.spec.revisionHistoryLimit ?? 10,
    progressDeadlineSeconds: d.spec.progressDeadlineSeconds ?? 600,
    template: defaultTemplate(d.spec.template),
  };
  return { ...d, spec };
}

function defaultReplicaSet(object: ApiObject): ApiObject {
  const rs = object as ReplicaSet;
  return { ...rs, spec: { ...rs.spec, replicas: rs.spec.replicas ?? 1, template: defaultTemplate(rs.spec.template) } };
}

const num = (v: number | undefined): string => String(v ?? 0);
const containersOf = (o: ApiObject): readonly { name: string; image?: string }[] => (o as Deployment).spec.template?.spec.containers ?? [];
export const WORKLOAD_WIDE: readonly Column[] = [
  {
    header: 'CONTAINERS',
    value: (o) =>
      containersOf(o)
        .map((c) => c.name)
        .join(','),
  },
  {
    header: 'IMAGES',
    value: (o) =>
      containersOf(o)
        .map((c) => c.image ?? '')
        .join(','),
  },
  { header: 'SELECTOR', value: (o) => formatSelector((o as Deployment).spec.selector) },
];

export const DEPLOYMENT_KIND: KindInfo = {
  kind: 'Deployment',
  apiVersion: 'apps/v1',
  plural: 'deployments',
  singular: 'deployment',
  shortNames: ['deploy'],
  namespaced: true,
  applyOrder: 60,
  shape: DEPLOYMENT_SHAPE,
  validate: validateDeployment,
  defaults: defaultDeployment,
  columns: [
    { header: 'READY', value: (o) => `${num((o as Deployment).status?.readyReplicas)}/${num((o as Deployment).spec.replicas)}` },
    { header: 'UP-TO-DATE', value: (o) => num((o as Deployment).status?.updatedReplicas) },
    { header: 'AVAILABLE', value: (o) => num((o as Deployment).status?.availableReplicas) },
  ],
  wideColumns: WORKLOAD_WIDE,
};

export const REPLICASET_KIND: KindInfo = {
  kind: 'ReplicaSet',
  apiVersion: 'apps/v1',
  plural: 'replicasets',
  singular: 'replicaset',
  shortNames: ['rs'],
  namespaced: true,
  applyOrder: 61,
  shape: REPLICASET_SHAPE,
  validate: validateReplicaSet,
  defaults: defaultReplicaSet,
  columns: [
    { header: 'DESIRED', value: (o) => num((o as ReplicaSet).spec.replicas) },
    { header: 'CURRENT', value: (o) => num((o as ReplicaSet).status?.replicas) },
    { header: 'READY', value: (o) => num((o as ReplicaSet).status?.readyReplicas) },
  ],
  wideColumns: WORKLOAD_WIDE,
};
