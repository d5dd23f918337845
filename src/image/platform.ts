// Platform selection in an image index, after containerd's platforms package: names are normalised
// (x86_64 → amd64, aarch64 → arm64, arm64 variant 8/v8 → v8), and a target also accepts the variants it
// can run (arm/v7 runs v6 and v5, preferring the highest), ranked so the best match wins.
import { arch, endianness } from 'node:os';

export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

/** An index entry's platform as the OCI image spec writes it. */
export interface DescriptorPlatform {
  readonly os?: string;
  readonly architecture?: string;
  readonly variant?: string;
}

/** Node's process.arch → GOARCH, the vocabulary of image indexes. */
const NODE_TO_GOARCH: Readonly<Record<string, string>> = {
  x64: 'amd64',
  ia32: '386',
  arm: 'arm',
  arm64: 'arm64',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsle',
};

/** containerd platforms.normalizeArch: aliases and default variants. */
function normalizeArch(architecture: string, variant: string | undefined): { architecture: string; variant?: string } {
  const a = architecture.toLowerCase();
  const v = variant?.toLowerCase();
  switch (a) {
    case 'i386':
      return { architecture: '386' };
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      // amd64 microarchitecture levels (v2, v3) are kept; v1 is the baseline and means "no variant".
      return v === undefined || v === '' || v === 'v1' ? { architecture: 'amd64' } : { architecture: 'amd64', variant: v };
    case 'aarch64':
    case 'arm64':
      // containerd: arm64 with variant "", "8" or "v8" is the same platform.
      return { architecture: 'arm64', variant: v === undefined || v === '' || v === '8' ? 'v8' : v };
    case 'armhf':
      return { architecture: 'arm', variant: 'v7' };
    case 'armel':
      return { architecture: 'arm', variant: 'v6' };
    case 'arm':
      // An arm image without a variant is v7 (containerd's default for GOARCH=arm).
      if (v === undefined || v === '' || v === '7') return { architecture: 'arm', variant: 'v7' };
      if (/^[5-8]$/.test(v)) return { architecture: 'arm', variant: `v${v}` };
      return { architecture: 'arm', variant: v };
    default:
      return v === undefined || v === '' ? { architecture: a } : { architecture: a, variant: v };
  }
}

export function normalizePlatform(p: DescriptorPlatform): Platform {
  const os = (p.os ?? '').toLowerCase();
  const norm = normalizeArch(p.architecture ?? '', p.variant);
  return norm.variant === undefined ? { os, architecture: norm.architecture } : { os, architecture: norm.architecture, variant: norm.variant };
}

/** The platform of this host: always linux, with Node's architecture in GOARCH terms. */
export function hostPlatform(nodeArch: string = arch(), armVersion: string | undefined = armVersionOfNode()): Platform {
  let goarch = NODE_TO_GOARCH[nodeArch] ?? nodeArch;
  if (nodeArch === 'ppc64' && endianness() === 'BE') goarch = 'ppc64';
  return normalizePlatform({ os: 'linux', architecture: goarch, ...(goarch === 'arm' && armVersion ? { variant: armVersion } : {}) });
}

function armVersionOfNode(): string | undefined {
  const vars = (process.config as { variables?: Record<string, unknown> }).variables;
  const v = vars?.['arm_version'];
  return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
}

/**
 * Variants a target accepts, best first (containerd's platformVector): arm/v8 runs v7, v6, v5;
 * amd64/v3 runs v2 and the baseline.
 */
function acceptedVariants(target: Platform): readonly (string | undefined)[] {
  const v = target.variant;
  if (target.architecture === 'arm' && v !== undefined && /^v[5-8]$/.test(v)) {
    const n = Number(v.slice(1));
    const out: string[] = [];
    for (let i = n; i >= 5; i--) out.push(`v${i}`);
    return out;
  }
  if (target.architecture === 'amd64' && v !== undefined && /^v[2-4]$/.test(v)) {
    const n = Number(v.slice(1));
    const out: (string | undefined)[] = [];
    for (let i = n; i >= 2; i--) out.push(`v${i}`);
    out.push(undefined);
    return out;
  }
  return [v];
}

/** Rank of a candidate for the target: 0 is best, -1 means it cannot run here. */
export function platformRank(target: Platform, candidate: DescriptorPlatform): number {
  const c = normalizePlatform(candidate);
  const t = normalizePlatform(target);
  if (c.os !== t.os || c.architecture !== t.architecture) return -1;
  return acceptedVariants(t).indexOf(c.variant);
}

export function formatPlatform(p: DescriptorPlatform): string {
  return [p.os ?? '?', p.architecture ?? '?', p.variant].filter((x) => x !== undefined && x !== '').join('/');
}

/**
 * Picks the entry of an index that best fits the target. Entries without a platform (allowed by the OCI
 * spec) are taken only when no entry declares a matching one.
 */
export function selectPlatformEntry<T extends { readonly platform?: DescriptorPlatform | undefined }>(entries: readonly T[], target: Platform): T | undefined {
  let best: T | undefined;
  let bestRank = Number.POSITIVE_INFINITY;
  let unlabelled: T | undefined;
  for (const entry of entries) {
    if (entry.platform === undefined) {
      unlabelled ??= entry;
      continue;
    }
    const rank = platformRank(target, entry.platform);
    if (rank >= 0 && rank < bestRank) {
      best = entry;
      bestRank = rank;
    }
  }
  return best ?? unlabelled;
}
