// The PATCH bodies kubectl sends: JSON merge patch (RFC 7386), JSON patch (RFC 6902), and strategic merge
// patch (lists of objects merged by their patchMergeKey, with the $patch/$setElementOrder/$retainKeys
// directives of apimachinery's strategicpatch). Server-side apply bodies are merged as strategic patches.
import { badRequest } from './status.js';

type Json = unknown;
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function mergePatch(target: Json, patch: Json): Json {
  if (!isObj(patch)) return patch;
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** patchMergeKey of core/v1's list fields (k8s.io/api/core/v1 struct tags). */
const MERGE_KEYS: Readonly<Record<string, string>> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  env: 'name',
  ports: 'containerPort',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  conditions: 'type',
  containerStatuses: 'name',
  resourceClaims: 'name',
};

export function strategicMerge(target: Json, patch: Json): Json {
  if (!isObj(patch)) return patch;
  if (patch['$patch'] === 'replace') {
    const { $patch: _p, ...rest } = patch;
    return rest;
  }
  if (patch['$patch'] === 'delete') return undefined;
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/')) continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      const drop = Array.isArray(v) ? v : [];
      if (Array.isArray(out[field])) out[field] = (out[field] as unknown[]).filter((x) => !drop.includes(x));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    const key = MERGE_KEYS[k];
    out[k] = key !== undefined && Array.isArray(v) ? mergeList(out[k], v, key) : strategicMerge(out[k], v);
    if (out[k] === undefined) delete out[k];
  }
  return out;
}

function mergeList(target: unknown, patch: unknown[], key: string): unknown[] {
  if (patch.some((item) => isObj(item) && item['$patch'] === 'replace')) return patch.filter((item) => !(isObj(item) && item['$patch'] === 'replace'));
  const out: unknown[] = Array.isArray(target) ? [...(target as unknown[])] : [];
  for (const item of patch) {
    if (!isObj(item) || item[key] === undefined) {
      out.push(item);
      continue;
    }
    const at = out.findIndex((e) => isObj(e) && e[key] === item[key]);
    if (item['$patch'] === 'delete') {
      if (at >= 0) out.splice(at, 1);
      continue;
    }
    if (at >= 0) out[at] = strategicMerge(out[at], item);
    else out.push(strategicMerge(undefined, item));
  }
  return out;
}

interface Operation {
  readonly op: string;
  readonly path: string;
  readonly from?: string;
  readonly value?: unknown;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw badRequest(`json patch: path ${JSON.stringify(path)} must start with "/"`);
  return path
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: unknown, parts: string[], path: string): { parent: Obj | unknown[]; last: string } {
  let current: unknown = doc;
  for (const part of parts.slice(0, -1)) {
    current = Array.isArray(current) ? current[Number(part)] : isObj(current) ? current[part] : undefined;
    if (typeof current !== 'object' || current === null) throw badRequest(`json patch: path ${JSON.stringify(path)} does not exist`);
  }
  return { parent: current as Obj | unknown[], last: parts[parts.length - 1] ?? '' };
}

function getAt(doc: unknown, path: string): unknown {
  let current: unknown = doc;
  for (const part of pointer(path)) current = Array.isArray(current) ? current[Number(part)] : isObj(current) ? current[part] : undefined;
  return current;
}

function setAt(doc: unknown, path: string, value: unknown, mode: 'add' | 'replace'): void {
  const { parent, last } = parentOf(doc, pointer(path), path);
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) throw badRequest(`json patch: index ${last} out of range`);
    if (mode === 'add') parent.splice(index, 0, value);
    else parent[index] = value;
  } else {
    if (mode === 'replace' && !(last in parent)) throw badRequest(`json patch: replace operation does not apply: doc is missing key: ${path}`);
    parent[last] = value;
  }
}

function removeAt(doc: unknown, path: string): void {
  const { parent, last } = parentOf(doc, pointer(path), path);
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else if (last in parent) delete parent[last];
  else throw badRequest(`json patch: remove operation does not apply: doc is missing path: ${path}`);
}

export function jsonPatch(target: Json, operations: unknown): Json {
  if (!Array.isArray(operations)) throw badRequest('json patch: the body must be an array of operations');
  const doc: unknown = structuredClone(target);
  for (const raw of operations) {
    const op = raw as Operation;
    if (typeof op.path !== 'string') throw badRequest('json patch: every operation needs a path');
    switch (op.op) {
      case 'add':
        setAt(doc, op.path, op.value, 'add');
        break;
      case 'replace':
        setAt(doc, op.path, op.value, 'replace');
        break;
      case 'remove':
        removeAt(doc, op.path);
        break;
      case 'copy':
      case 'move': {
        const value = structuredClone(getAt(doc, op.from ?? ''));
        if (op.op === 'move') removeAt(doc, op.from ?? '');
        setAt(doc, op.path, value, 'add');
        break;
      }
      case 'test':
        if (JSON.stringify(getAt(doc, op.path)) !== JSON.stringify(op.value)) throw badRequest(`json patch: test operation failed at ${op.path}`);
        break;
      default:
        throw badRequest(`json patch: unknown operation ${JSON.stringify(op.op)}`);
    }
  }
  return doc;
}
