// Image references parsed and normalised the way docker and containerd do it (distribution/reference's
// grammar and ParseNormalizedNamed): `busybox` is docker.io/library/busybox:latest, a first component
// with a dot, a colon or equal to "localhost" is a registry host, repositories are lower case.
import { invalid } from '../common/errors.js';

export interface ImageReference {
  /** Registry host as written in names ("docker.io", "localhost:5000"). */
  readonly registry: string;
  /** Repository path inside the registry ("library/busybox"). */
  readonly repository: string;
  readonly tag?: string;
  /** "sha256:<64 hex>" */
  readonly digest?: string;
}

/** Docker Hub's name in references, and the host its API really answers on (docker's IndexHostname/DefaultRegistryHost). */
export const DOCKER_HUB = 'docker.io';
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';
const DOCKER_HUB_LEGACY = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';
export const DEFAULT_TAG = 'latest';

/** distribution/reference: a repository name is at most 255 characters, registry included. */
export const NAME_TOTAL_LENGTH_MAX = 255;

// distribution/reference regexp.go, piece by piece.
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const IPV6_HOST = '\\[(?:[a-fA-F0-9:]+)\\]';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|${IPV6_HOST})(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const DOMAIN_RE = new RegExp(`^${DOMAIN}$`);
const PATH_RE = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;
const ANY_DIGEST_RE = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const IMAGE_ID_RE = /^[a-f0-9]{64}$/;

const ALLOWED =
  'a reference is [registry[:port]/]repository[:tag][@sha256:<64 hex>], with a lower-case repository ' +
  '(letters, digits and single separators . _ __ -), a tag of at most 128 characters [A-Za-z0-9_.-] not starting with . or -';

function bad(ref: string, why: string): Error {
  return invalid(`invalid image reference "${ref}": ${why}`, { hint: ALLOWED });
}

/** True when the first path component names a registry host rather than a Docker Hub namespace. */
function looksLikeRegistry(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost' || component.toLowerCase() !== component;
}

function splitDigest(ref: string, rest: string): { remainder: string; digest?: string } {
  const at = rest.indexOf('@');
  if (at === -1) return { remainder: rest };
  const digest = rest.slice(at + 1);
  if (!DIGEST_RE.test(digest)) {
    const why = ANY_DIGEST_RE.test(digest) ? 'only sha256 digests of 64 lower-case hex digits are supported' : `malformed digest "${digest}"`;
    throw bad(ref, why);
  }
  return { remainder: rest.slice(0, at), digest };
}

function splitTag(ref: string, named: string): { name: string; tag?: string } {
  const slash = named.lastIndexOf('/');
  const colon = named.lastIndexOf(':');
  if (colon <= slash) return { name: named };
  const tag = named.slice(colon + 1);
  if (!TAG_RE.test(tag)) throw bad(ref, `malformed tag "${tag}"`);
  return { name: named.slice(0, colon), tag };
}

function splitDomain(ref: string, name: string): { registry: string; repository: string } {
  const slash = name.indexOf('/');
  let registry = DOCKER_HUB;
  let repository = name;
  if (slash !== -1 && looksLikeRegistry(name.slice(0, slash))) {
    registry = name.slice(0, slash);
    repository = name.slice(slash + 1);
    if (!DOMAIN_RE.test(registry)) throw bad(ref, `malformed registry host "${registry}"`);
  }
  if (registry === DOCKER_HUB_LEGACY) registry = DOCKER_HUB;
  if (repository.toLowerCase() !== repository) throw bad(ref, `repository name "${repository}" must be lower case`);
  if (!PATH_RE.test(repository)) throw bad(ref, `malformed repository name "${repository}"`);
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = OFFICIAL_REPO_PREFIX + repository;
  return { registry, repository };
}

/**
 * Parses and normalises a reference. A reference without tag or digest gets ":latest" (docker's
 * TagNameOnly); tag and digest together keep both, and the digest decides what is pulled.
 */
export function parseReference(ref: string): ImageReference {
  if (ref === '') throw bad(ref, 'it is empty');
  if (ref.trim() !== ref || /\s/.test(ref)) throw bad(ref, 'it contains white space');
  if (IMAGE_ID_RE.test(ref)) throw bad(ref, 'a 64-hex-digit string is an image ID, not a repository name');
  const { remainder, digest } = splitDigest(ref, ref);
  const { name, tag } = splitTag(ref, remainder);
  if (name === '') throw bad(ref, 'the repository name is empty');
  const { registry, repository } = splitDomain(ref, name);
  if (registry.length + 1 + repository.length > NAME_TOTAL_LENGTH_MAX) {
    throw bad(ref, `the repository name is longer than ${NAME_TOTAL_LENGTH_MAX} characters`);
  }
  const out: { registry: string; repository: string; tag?: string; digest?: string } = { registry, repository };
  if (tag !== undefined) out.tag = tag;
  if (digest !== undefined) out.digest = digest;
  if (tag === undefined && digest === undefined) out.tag = DEFAULT_TAG;
  return out;
}

/** True when the string parses as a reference (no throw). */
export function isReference(ref: string): boolean {
  try {
    parseReference(ref);
    return true;
  } catch {
    return false;
  }
}

/** "registry/repository" */
export function repositoryName(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}`;
}

/** The fully qualified string form: registry/repository[:tag][@digest]. */
export function formatReference(ref: ImageReference): string {
  return `${repositoryName(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** Normalises a reference string: "busybox" → "docker.io/library/busybox:latest". */
export function normalizeReference(ref: string): string {
  return formatReference(parseReference(ref));
}

/** The name an image is stored under: registry/repo:tag, or registry/repo@digest when pulled by digest only. */
export function storedName(ref: ImageReference): string {
  if (ref.tag !== undefined) return `${repositoryName(ref)}:${ref.tag}`;
  return `${repositoryName(ref)}@${ref.digest ?? ''}`;
}

/** The host:port the registry API answers on (Docker Hub's is not docker.io). */
export function registryApiHost(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_API_HOST : registry;
}

/** Normalises a registry name given to login/logout or the insecure list ("index.docker.io" → "docker.io"). */
export function normalizeRegistry(registry: string): string {
  const trimmed = registry
    .replace(/^https?:\/\//, '')
    .replace(/\/+$/, '')
    .replace(/\/v[12]$/, '');
  const host = trimmed === DOCKER_HUB_LEGACY || trimmed === DOCKER_HUB_API_HOST ? DOCKER_HUB : trimmed;
  if (!DOMAIN_RE.test(host)) throw invalid(`invalid registry "${registry}": expected a host name with an optional :port`);
  return host;
}

/** The short form docker prints: "busybox:latest" for official images, the full name otherwise. */
export function familiarName(name: string): string {
  const prefix = `${DOCKER_HUB}/${OFFICIAL_REPO_PREFIX}`;
  if (name.startsWith(prefix)) return name.slice(prefix.length);
  if (name.startsWith(`${DOCKER_HUB}/`)) return name.slice(DOCKER_HUB.length + 1);
  return name;
}
