// `peapod get` for the kinds of kube/kinds/ (deployments, rs, svc, ...): kubectl's columns (NAME, the
// kind's own, AGE; -o wide adds its wide ones), -o json|yaml, and `kind/name` names when several kinds
// are listed at once (`get deploy,rs`).
import type { ObjectList } from '../../api/routes/objects.js';
import type { ApiObject, KindInfo } from '../../kube/kinds/kind.js';
import { groupOf } from '../../kube/kinds/kind.js';
import type { ApiClient } from '../../api/client.js';
import { formatAge, formatStructured, formatTable, type OutputFormat } from '../output.js';

export interface ObjectGetOptions {
  readonly namespace: string;
  readonly all: boolean;
  readonly format: OutputFormat;
  /** Prefix names with `<resource>.<group>/` (kubectl does when listing several kinds). */
  readonly qualified: boolean;
}

export const qualifiedName = (info: KindInfo, name: string): string => `${info.singular}${groupOf(info) ? `.${groupOf(info)}` : ''}/${name}`;

export async function fetchObjects(api: ApiClient, info: KindInfo, name: string | undefined, options: ObjectGetOptions): Promise<ApiObject[]> {
  if (name !== undefined) {
    const path = `/v1/namespaces/${encodeURIComponent(options.namespace)}/objects/${info.plural}/${encodeURIComponent(name)}`;
    return [await api.call<ApiObject>('GET', path)];
  }
  const list = await api.call<ObjectList>('GET', `/v1/objects/${info.plural}`, { query: options.all ? { all: true } : { namespace: options.namespace } });
  return [...list.items];
}

export function objectTable(info: KindInfo, objects: readonly ApiObject[], options: ObjectGetOptions): string {
  const now = Date.now();
  const wide = options.format === 'wide';
  const withNamespace = options.all && info.namespaced;
  const columns = [...info.columns];
  const extra = wide ? [...(info.wideColumns ?? [])] : [];
  const headers = [...(withNamespace ? ['NAMESPACE'] : []), 'NAME', ...columns.map((c) => c.header), 'AGE', ...extra.map((c) => c.header)];
  const rows = objects.map((o) => [
    ...(withNamespace ? [o.metadata.namespace ?? ''] : []),
    options.qualified ? qualifiedName(info, o.metadata.name) : o.metadata.name,
    ...columns.map((c) => c.value(o, now)),
    o.metadata.creationTimestamp ? formatAge(o.metadata.creationTimestamp, now) : '<unknown>',
    ...extra.map((c) => c.value(o, now)),
  ]);
  return formatTable(headers, rows);
}

export function objectsStructured(objects: readonly ApiObject[], single: boolean, format: 'json' | 'yaml'): string {
  return formatStructured(single ? objects[0] : { apiVersion: 'v1', kind: 'List', items: objects }, format);
}
