// Every API kind the store keeps besides Pod/ConfigMap/Secret, and the look-ups by the names kubectl
// accepts (`deployments`, `deployment`, `deploy`, `Deployment`, `deployments.apps`).
import { CRONJOB_KIND, JOB_KIND } from './batch.js';
import { DEPLOYMENT_KIND, REPLICASET_KIND } from './apps.js';
import { ENDPOINTSLICE_KIND, SERVICE_KIND } from './network.js';
import { CONTROLLERREVISION_KIND, DAEMONSET_KIND, STATEFULSET_KIND } from './stateful.js';
import { PV_KIND, PVC_KIND } from './storage.js';
import { groupOf, type KindInfo } from './kind.js';

export type { ApiObject, Column, KindInfo } from './kind.js';
export { groupOf };

export const KINDS: readonly KindInfo[] = [
  DEPLOYMENT_KIND,
  REPLICASET_KIND,
  STATEFULSET_KIND,
  DAEMONSET_KIND,
  CONTROLLERREVISION_KIND,
  JOB_KIND,
  CRONJOB_KIND,
  SERVICE_KIND,
  ENDPOINTSLICE_KIND,
  PVC_KIND,
  PV_KIND,
];

const byKind = new Map(KINDS.map((k) => [k.kind, k]));

/** The kind's description, by its Kind name (`Deployment`); undefined for Pod/ConfigMap/Secret and unknown kinds. */
export function kindInfo(kind: string): KindInfo | undefined {
  return byKind.get(kind);
}

/** The kind a CLI resource word names: plural, singular, short name or Kind, optionally `.group`. */
export function kindForResource(word: string): KindInfo | undefined {
  const lower = word.toLowerCase();
  const dot = lower.indexOf('.');
  const name = dot < 0 ? lower : lower.slice(0, dot);
  const group = dot < 0 ? undefined : lower.slice(dot + 1);
  return KINDS.find((k) => {
    if (group !== undefined && groupOf(k) !== group) return false;
    return k.plural === name || k.singular === name || k.shortNames.includes(name) || k.kind.toLowerCase() === name;
  });
}
