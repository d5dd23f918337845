// Registry mirrors, as containerd's hosts.toml and containers' registries.conf offer them: a registry
// (as references name it: docker.io, registry.k8s.io, gcr.io, host:port) maps to mirror endpoints tried
// in order before the registry itself. Content is addressed by digest and verified, so a mirror cannot
// change what is pulled, only whether it is found; anything a mirror fails at falls through to the next.
//
// Sources, all merged in this order: PEAPOD_REGISTRY_MIRRORS ("registry=url,registry=url"), then the
// YAML file (default /etc/peapod/registries.yaml):
//   mirrors:
//     docker.io: [https://mirror.example.com]
//     registry.k8s.io: [http://127.0.0.1:5000]
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { PeapodError, errorMessage, isErrnoException } from '../../common/errors.js';

/** Registry name → mirror base URLs (scheme://host[:port]), in the order they are tried. */
export type MirrorMap = ReadonlyMap<string, readonly string[]>;

const REGISTRY_NAME = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$/i;

/** A mirror endpoint: http or https, a host and port, no path, query or credentials. */
export function mirrorEndpoint(text: string, where: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new PeapodError('InvalidArgument', `${where}: ${JSON.stringify(text)} is not a URL; a mirror is http://host[:port] or https://host[:port]`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new PeapodError('InvalidArgument', `${where}: ${JSON.stringify(text)}: only http and https mirrors are supported`);
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new PeapodError(
      'InvalidArgument',
      `${where}: ${JSON.stringify(text)}: a mirror is scheme://host[:port] only (no path, query or credentials; credentials go in the auth file under the mirror's host)`,
    );
  }
  return `${url.protocol}//${url.host}`;
}

function registryName(text: string, where: string): string {
  if (!REGISTRY_NAME.test(text))
    throw new PeapodError('InvalidArgument', `${where}: ${JSON.stringify(text)} is not a registry host (e.g. docker.io, registry.k8s.io, host:5000)`);
  return text.toLowerCase();
}

function add(map: Map<string, string[]>, registry: string, endpoint: string): void {
  const list = map.get(registry) ?? [];
  if (!list.includes(endpoint)) list.push(endpoint);
  map.set(registry, list);
}

/** "registry=url,registry=url" (a registry may repeat: its mirrors are tried in the order given). */
export function parseMirrorList(entries: readonly string[], where: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  entries.forEach((entry, i) => {
    const eq = entry.indexOf('=');
    if (eq <= 0)
      throw new PeapodError('InvalidArgument', `${where}[${i}]: ${JSON.stringify(entry)} must be registry=url (e.g. docker.io=https://mirror.example.com)`);
    add(map, registryName(entry.slice(0, eq).trim(), `${where}[${i}]`), mirrorEndpoint(entry.slice(eq + 1).trim(), `${where}[${i}]`));
  });
  return map;
}

/** The YAML file's `mirrors` mapping; other top-level keys are refused so a typo is not silently ignored. */
export function parseMirrorsFile(text: string, path: string): Map<string, string[]> {
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 10 });
  } catch (err) {
    throw new PeapodError('InvalidArgument', `${path}: not YAML: ${errorMessage(err)}`);
  }
  const map = new Map<string, string[]>();
  if (doc === null || doc === undefined) return map;
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new PeapodError('InvalidArgument', `${path}: expected a mapping with a "mirrors" key`);
  for (const key of Object.keys(doc)) if (key !== 'mirrors') throw new PeapodError('InvalidArgument', `${path}: ${key}: unknown key; supported: "mirrors"`);
  const mirrors = (doc as Record<string, unknown>)['mirrors'];
  if (mirrors === undefined || mirrors === null) return map;
  if (typeof mirrors !== 'object' || Array.isArray(mirrors))
    throw new PeapodError('InvalidArgument', `${path}: mirrors: expected a mapping of registry → list of URLs`);
  for (const [registry, urls] of Object.entries(mirrors as Record<string, unknown>)) {
    const where = `${path}: mirrors.${registry}`;
    const name = registryName(registry, where);
    const list = typeof urls === 'string' ? [urls] : urls;
    if (!Array.isArray(list) || list.some((u) => typeof u !== 'string')) throw new PeapodError('InvalidArgument', `${where}: expected a URL or a list of URLs`);
    (list as string[]).forEach((u, i) => add(map, name, mirrorEndpoint(u, `${where}[${i}]`)));
  }
  return map;
}

/** The environment's entries first, then the file's (a missing file is no mirrors). */
export async function loadMirrors(envEntries: readonly string[], file: string): Promise<MirrorMap> {
  const merged = parseMirrorList(envEntries, 'PEAPOD_REGISTRY_MIRRORS');
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (!isErrnoException(err, 'ENOENT')) throw new PeapodError('InvalidArgument', `${file}: ${errorMessage(err)}`);
  }
  if (text !== undefined) for (const [registry, urls] of parseMirrorsFile(text, file)) for (const u of urls) add(merged, registry, u);
  return merged;
}

/** Where a request for `registry` goes: its mirrors in order, then the registry itself (undefined base). */
export function mirrorsFor(mirrors: MirrorMap, registry: string): readonly string[] {
  return mirrors.get(registry.toLowerCase()) ?? [];
}
