// Turning ConfigMaps, Secrets and downward API fields into files, with the API's items/defaultMode/optional rules.
import { PeapodError } from '../../common/errors.js';
import type { ConfigMap, ConfigMapVolumeSource, DownwardAPIVolumeSource, Secret, SecretVolumeSource } from '../../kube/types.js';
import type { ProjectedFile } from './files.js';

/** The API server's default mode for projected files (0644). */
export const DEFAULT_FILE_MODE = 0o644;

interface KeyToPath {
  readonly key: string;
  readonly path: string;
  readonly mode?: number;
}

function project(
  data: ReadonlyMap<string, Uint8Array>,
  items: readonly KeyToPath[] | undefined,
  defaultMode: number | undefined,
  field: string,
  optional: boolean,
): ProjectedFile[] {
  const mode = defaultMode ?? DEFAULT_FILE_MODE;
  if (!items || items.length === 0) return [...data.entries()].map(([key, content]) => ({ path: key, content, mode }));
  const files: ProjectedFile[] = [];
  for (const [i, item] of items.entries()) {
    const content = data.get(item.key);
    if (!content) {
      if (optional) continue;
      throw new PeapodError('FailedPrecondition', `${field}.items[${i}].key: key ${JSON.stringify(item.key)} not found`);
    }
    files.push({ path: item.path, content, mode: item.mode ?? mode });
  }
  return files;
}

export function configMapData(object: ConfigMap): Map<string, Uint8Array> {
  const data = new Map<string, Uint8Array>();
  for (const [key, value] of Object.entries(object.data ?? {})) data.set(key, Buffer.from(value, 'utf8'));
  for (const [key, value] of Object.entries(object.binaryData ?? {})) data.set(key, Buffer.from(value, 'base64'));
  return data;
}

export function secretData(object: Secret): Map<string, Uint8Array> {
  const data = new Map<string, Uint8Array>();
  for (const [key, value] of Object.entries(object.data ?? {})) data.set(key, Buffer.from(value, 'base64'));
  for (const [key, value] of Object.entries(object.stringData ?? {})) data.set(key, Buffer.from(value, 'utf8'));
  return data;
}

export function projectConfigMap(source: ConfigMapVolumeSource, object: ConfigMap | undefined, field: string): ProjectedFile[] {
  const optional = source.optional === true;
  if (!object) {
    if (optional) return [];
    throw new PeapodError('FailedPrecondition', `configmap ${JSON.stringify(source.name ?? '')} not found`, {
      hint: `${field}.name: apply the ConfigMap first`,
    });
  }
  return project(configMapData(object), source.items, source.defaultMode, field, optional);
}

export function projectSecret(source: SecretVolumeSource, object: Secret | undefined, field: string): ProjectedFile[] {
  const optional = source.optional === true;
  if (!object) {
    if (optional) return [];
    throw new PeapodError('FailedPrecondition', `secret ${JSON.stringify(source.secretName ?? '')} not found`, {
      hint: `${field}.secretName: apply the Secret first`,
    });
  }
  return project(secretData(object), source.items, source.defaultMode, field, optional);
}

export function projectDownward(source: DownwardAPIVolumeSource, field: (path: string) => string | undefined, at: string): ProjectedFile[] {
  const mode = source.defaultMode ?? DEFAULT_FILE_MODE;
  return (source.items ?? []).map((item, i) => {
    const path = item.fieldRef?.fieldPath;
    if (path === undefined) throw new PeapodError('InvalidArgument', `${at}.items[${i}]: only fieldRef is supported in downwardAPI volumes on this host`);
    const value = field(path);
    if (value === undefined) throw new PeapodError('InvalidArgument', `${at}.items[${i}].fieldRef.fieldPath: unsupported field ${JSON.stringify(path)}`);
    return { path: item.path, content: Buffer.from(value, 'utf8'), mode: item.mode ?? mode };
  });
}
