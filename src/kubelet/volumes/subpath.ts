// subPath and subPathExpr as the kubelet reads them (kubelet_pods.go makeMounts): subPathExpr's $(VAR)
// references expand from the container's environment only (so downward-API env such as POD_NAME works),
// a reference to a missing or empty variable is an error, and the result must be a relative path
// without `..`. The safe open on disk is safe-open.ts.
import { PeapodError } from '../../common/errors.js';
import { expandEnvReferences } from '../../kube/env.js';

/** A relative path with no `..` component and no NUL (the API's validateLocalDescendingPath). */
export function checkSubPath(path: string, field: string): string {
  if (path.startsWith('/')) throw new PeapodError('InvalidArgument', `${field}: Invalid value: ${JSON.stringify(path)}: must be a relative path`);
  if (path.split('/').includes('..')) throw new PeapodError('InvalidArgument', `${field}: Invalid value: ${JSON.stringify(path)}: must not contain '..'`);
  if (path.includes('\0')) throw new PeapodError('InvalidArgument', `${field}: Invalid value: must not contain NUL`);
  return path;
}

/** Records which variables an expansion asked for but found missing or empty. */
class RecordingEnv extends Map<string, string> {
  readonly missing = new Set<string>();
  override get(key: string): string | undefined {
    const value = super.get(key);
    if (value === undefined || value === '') this.missing.add(key);
    return value;
  }
}

export function expandSubPathExpr(expr: string, env: ReadonlyMap<string, string>, field: string): string {
  const recording = new RecordingEnv(env);
  const expanded = expandEnvReferences(expr, recording);
  if (recording.missing.size > 0) {
    throw new PeapodError('InvalidArgument', `${field}: ${JSON.stringify(expr)}: missing value for ${[...recording.missing].sort().join(', ')}`);
  }
  return checkSubPath(expanded, field);
}

export interface VolumeMountLike {
  readonly subPath?: string;
  readonly subPathExpr?: string;
}

/** The mount's effective subPath with the field it came from, or undefined for the whole volume. */
export function effectiveSubPath(mount: VolumeMountLike, env: ReadonlyMap<string, string>, at: string): { path: string; field: string } | undefined {
  if (mount.subPath && mount.subPathExpr) throw new PeapodError('InvalidArgument', `${at}: subPath and subPathExpr are mutually exclusive`);
  if (mount.subPath) return { path: checkSubPath(mount.subPath, `${at}.subPath`), field: `${at}.subPath` };
  if (mount.subPathExpr) {
    const path = expandSubPathExpr(mount.subPathExpr, env, `${at}.subPathExpr`);
    return path === '' ? undefined : { path, field: `${at}.subPathExpr` };
  }
  return undefined;
}
