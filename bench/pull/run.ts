// Pull benchmark: a ~100 MB, 5-layer image of incompressible data in a loopback docker-registry, pulled
// by peapod (fresh store each run) and copied by skopeo (docker:// → oci:DIR) side by side, median of N.
// peapod is timed twice: the whole pull (download, verify, unpack for overlayfs) and fetch+verify only
// (the same service with unpacking skipped), which is what skopeo's copy to an OCI layout does.
//   node dist/bench/pull/run.js [--runs 5] [--mb 100]
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../../src/common/config.js';
import { run } from '../../src/host/exec.js';
import { LocalImageService } from '../../src/image/image-service.js';
import { createImageService } from '../../src/image/service.js';
import { hostPlatform } from '../../src/image/platform.js';
import { buildImage, buildLayer, pseudoRandom, type BuiltLayer } from '../../test/image/helpers/build.js';
import { pushImage } from '../../test/image/helpers/push.js';
import { startRegistry } from '../../test/image/helpers/registry.js';

const LAYERS = 5;
const FILES_PER_LAYER = 4;
const SKOPEO_TIMEOUT_MS = 300_000;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i === -1 ? undefined : Number(process.argv[i + 1]);
  return v !== undefined && Number.isFinite(v) && v > 0 ? v : fallback;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

async function buildBenchImage(totalMb: number): Promise<ReturnType<typeof buildImage>> {
  const perFile = Math.floor((totalMb * 1024 * 1024) / (LAYERS * FILES_PER_LAYER));
  const layers: BuiltLayer[] = [];
  for (let l = 0; l < LAYERS; l++) {
    const files = Array.from({ length: FILES_PER_LAYER }, (_, f) => ({ path: `layer${l}/file${f}.bin`, content: pseudoRandom(perFile, `bench-${l}-${f}`) }));
    layers.push(await buildLayer([{ path: `layer${l}/`, dir: true }, ...files], 'gzip'));
  }
  return buildImage(layers, { architecture: hostPlatform().architecture });
}

async function timeIt(fn: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function peapodPull(ref: string, unpack: boolean): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'peapod-bench-pull-'));
  try {
    const config = resolveConfig({ root: join(dir, 'root'), runRoot: join(dir, 'run'), authFile: join(dir, 'auth.json') }, {});
    const images = unpack
      ? createImageService(config)
      : new LocalImageService({
          config,
          imagesRoot: join(config.root, 'images'),
          // Fetch+verify only: no layer directories, the same work skopeo's copy to an OCI layout does.
          snapshotter: {
            ensure: (layers) => Promise.resolve(layers.map(() => '')),
            list: () => Promise.resolve([]),
            remove: () => Promise.resolve(),
            dirOf: () => Promise.resolve(undefined),
          },
          chainIds: (d) => [...d],
        });
    return await timeIt(async () => {
      await images.pull(ref);
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function skopeoCopy(ref: string): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'peapod-bench-skopeo-'));
  try {
    return await timeIt(async () => {
      await run('skopeo', ['copy', '--quiet', '--src-tls-verify=false', `docker://${ref}`, `oci:${join(dir, 'oci')}:bench`], { timeoutMs: SKOPEO_TIMEOUT_MS });
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const runs = arg('runs', 5);
  const totalMb = arg('mb', 100);
  process.stdout.write(`building a ${totalMb} MB, ${LAYERS}-layer image…\n`);
  const image = await buildBenchImage(totalMb);
  const compressed = image.layers.reduce((s, l) => s + l.bytes.length, 0);
  const registry = await startRegistry();
  try {
    await pushImage(registry.host, 'bench/pull', 'v1', image);
    const ref = `${registry.host}/bench/pull:v1`;
    const samples: Record<string, number[]> = { 'peapod pull (fetch+verify+unpack)': [], 'peapod fetch+verify only': [], 'skopeo copy → oci:DIR': [] };
    for (let i = 0; i < runs; i++) {
      // Interleaved, so drift (page cache, CPU frequency) hits every tool alike.
      samples['peapod pull (fetch+verify+unpack)']?.push(await peapodPull(ref, true));
      samples['peapod fetch+verify only']?.push(await peapodPull(ref, false));
      samples['skopeo copy → oci:DIR']?.push(await skopeoCopy(ref));
      process.stdout.write(`run ${i + 1}/${runs} done\n`);
    }
    const skopeo = median(samples['skopeo copy → oci:DIR'] ?? []);
    const rows = Object.entries(samples).map(([name, values]) => ({
      name,
      medianMs: Math.round(median(values)),
      runsMs: values.map(Math.round),
      ratioToSkopeo: Number((median(values) / skopeo).toFixed(2)),
    }));
    const width = Math.max(...rows.map((r) => r.name.length));
    process.stdout.write(`\n${'tool'.padEnd(width)}   median ms   × skopeo   MB/s\n`);
    for (const r of rows) {
      const mbps = (compressed / 1024 / 1024 / (r.medianMs / 1000)).toFixed(0);
      process.stdout.write(`${r.name.padEnd(width)}   ${String(r.medianMs).padStart(9)}   ${r.ratioToSkopeo.toFixed(2).padStart(8)}   ${mbps.padStart(4)}\n`);
    }
    const result = {
      benchmark: 'pull',
      date: new Date().toISOString(),
      host: { cpus: cpus().length, node: process.version, arch: process.arch },
      image: { layers: LAYERS, compressedBytes: compressed, compression: 'gzip' },
      runs,
      results: rows,
    };
    const outDir = fileURLToPath(new URL('../../../bench/results/', import.meta.url));
    await mkdir(outDir, { recursive: true });
    const file = join(outDir, `pull-${result.date.slice(0, 19).replace(/:/g, '-')}.json`);
    await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`\nwrote ${file}\n`);
  } finally {
    await registry.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
