// Loading manifests the way kubectl does: a file, a directory of *.yaml|*.yml|*.json, or stdin ('-');
// YAML or JSON, several documents, `kind: List` expanded. Every error and warning says file:line and the
// field path; an invalid manifest yields no objects at all.
import { LineCounter, parseAllDocuments, isMap, isSeq, isScalar, type Node } from 'yaml';
import { PeapodError } from '../common/errors.js';
import { defaultManifestObject, type ManifestObject } from './manifest-object.js';
import { validateObject, withoutNulls } from './validate.js';
import { MAX_MANIFEST_BYTES, readManifestSources, type ManifestSource } from './manifest-sources.js';

export { MAX_MANIFEST_BYTES };

/** Limits against hostile input (YAML bombs, huge files), each with a clear error. */
export const MAX_ALIAS_COUNT = 100;
export const MAX_NESTING_DEPTH = 64;
export const MAX_OBJECTS = 1000;
export interface LoadedObject {
  readonly object: ManifestObject;
  readonly file: string;
  readonly line: number;
}

export interface LoadResult {
  readonly objects: LoadedObject[];
  readonly warnings: string[];
}

function depth(value: unknown, limit: number): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() ?? [undefined, 0];
    if (d > max) max = d;
    if (max > limit) return max;
    if (typeof v === 'object' && v !== null) for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

/** The line of the node at a field path like `spec.containers[1].resources.limits.memory`, or of the nearest parent. */
function lineOf(root: Node | null | undefined, path: string, counter: LineCounter, fallback: number): number {
  const parts = path.match(/[^.[\]"]+|\[\d+\]|\["[^"]*"\]/g) ?? [];
  let node: unknown = root;
  let line = fallback;
  for (const part of parts) {
    let next: unknown;
    if (part.startsWith('[') && isSeq(node)) next = node.items[Number(part.slice(1, -1))];
    else if (isMap(node)) {
      const key = part.startsWith('["') ? (JSON.parse(part.slice(1, -1)) as string) : part;
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
      next = pair?.value ?? undefined;
      if (pair && isScalar(pair.key) && pair.key.range) line = counter.linePos(pair.key.range[0]).line;
    }
    if (!next) break;
    node = next;
    const range = (next as { range?: [number, number, number] }).range;
    if (range && !(isScalar(next) === false && isMap(next))) line = isScalar(next) ? counter.linePos(range[0]).line : line;
  }
  return line;
}

const tooDeep = (): string => `nesting deeper than ${MAX_NESTING_DEPTH} levels`;

/** The parser's first line; its stack overflow on absurdly nested input is reported as what it is. */
function yamlErrorMessage(message: string): string {
  if (message.includes('Maximum call stack size exceeded')) return tooDeep();
  return message.split('\n')[0] ?? message;
}

/** Reads a file, a directory or stdin, then parses it: what the CLI and the static pod watcher do. */
export async function loadManifests(source: string): Promise<LoadResult> {
  return parseManifests(await readManifestSources(source), source);
}

/**
 * Parses and validates manifest texts already read (no file system access), so the daemon can do it for
 * the CLI with its modules warm: `source` only names the input in the "holds no manifest" error.
 */
export function parseManifests(sources: readonly ManifestSource[], source: string): LoadResult {
  const objects: LoadedObject[] = [];
  const warnings: string[] = [];
  const errors: string[] = [];
  for (const { file, text } of sources) {
    if (Buffer.byteLength(text) > MAX_MANIFEST_BYTES) throw new PeapodError('InvalidArgument', `${file}: manifest larger than ${MAX_MANIFEST_BYTES} bytes`);
    const counter = new LineCounter();
    // YAML 1.1, as kubectl's sigs.k8s.io/yaml parses it: `mode: 0600` is octal 384, not decimal 600.
    const docs = parseAllDocuments(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true, version: '1.1' });
    const list = Array.isArray(docs) ? docs : [docs];
    for (const doc of list) {
      const startLine = doc.contents?.range ? counter.linePos(doc.contents.range[0]).line : 1;
      // An unknown tag (`!!python/object:…`) would silently become a plain map or string: refused, as kubectl does.
      const problems = [...doc.errors, ...doc.warnings.filter((w) => w.code === 'TAG_RESOLVE_FAILED')];
      if (problems.length > 0) {
        for (const e of problems) errors.push(`${file}:${e.linePos?.[0].line ?? startLine}: ${yamlErrorMessage(e.message)}`);
        continue;
      }
      let value: unknown;
      try {
        value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        const why =
          err instanceof RangeError
            ? tooDeep()
            : message.includes('Excessive alias count')
              ? `${message} (at most ${MAX_ALIAS_COUNT} alias expansions are allowed)`
              : message;
        errors.push(`${file}:${startLine}: ${why}`);
        continue;
      }
      if (value === null || value === undefined) continue;
      if (depth(value, MAX_NESTING_DEPTH) > MAX_NESTING_DEPTH) {
        errors.push(`${file}:${startLine}: ${tooDeep()}`);
        continue;
      }
      const items: { value: unknown; root: Node | null | undefined; prefix: string }[] = [];
      const isList = typeof value === 'object' && (value as { kind?: unknown }).kind === 'List' && Array.isArray((value as { items?: unknown }).items);
      if (isList)
        (value as { items: unknown[] }).items.forEach((item, i) => items.push({ value: withoutNulls(item), root: doc.contents, prefix: `items[${i}].` }));
      else items.push({ value: withoutNulls(value), root: doc.contents, prefix: '' });
      for (const item of items) {
        const line = (path: string): number => lineOf(item.root, `${item.prefix}${path}`, counter, startLine);
        const result = validateObject(item.value);
        for (const w of result.warnings) warnings.push(`${file}:${line(w.path)}: ${w.message}`);
        for (const e of result.errors) errors.push(`${file}:${line(e.path)}: ${e.path ? `${e.path}: ` : ''}${e.message}`);
        if (result.errors.length === 0) objects.push({ object: defaultManifestObject(item.value as ManifestObject), file, line: line('') });
        if (objects.length > MAX_OBJECTS) throw new PeapodError('InvalidArgument', `${file}: more than ${MAX_OBJECTS} objects`);
      }
    }
  }
  if (errors.length > 0) throw new PeapodError('InvalidArgument', errors.join('\n'));
  if (objects.length === 0) throw new PeapodError('InvalidArgument', `no objects passed to apply (${source} holds no manifest)`);
  return { objects, warnings };
}
