// CRI details the kubelet depends on, on real containers: CPU and memory stats (usage counter and the
// rate between two samples, working set, process count), the kubelet's masked/readonly path lists, and
// PullImage with auth config against a real htpasswd-protected registry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { status as grpcStatus } from '@grpc/grpc-js';
import { run } from '../../src/host/exec.js';
import { hostPlatform } from '../../src/image/platform.js';
import { assertNoLeaks } from '../helpers/leaks.js';
import { waitFor } from '../helpers/wait.js';
import { buildImage, buildLayer } from '../image/helpers/build.js';
import { pushImage } from '../image/helpers/push.js';
import { startRegistry } from '../image/helpers/registry.js';
import { containerConfig, sandboxConfig, startCriTest } from './harness.js';
import { cpuWeightOf, expectedCpuWeight, findCgroupBelow, readCgroupLimits } from '../helpers/cgroupfs.js';

interface CpuMsg {
  usage_core_nano_seconds: { value: string } | null;
  usage_nano_cores: { value: string } | null;
}
interface StatsMsg {
  attributes: { id: string };
  cpu: CpuMsg;
  memory: { working_set_bytes: { value: string } | null; usage_bytes: { value: string } | null; rss_bytes: { value: string } | null };
}
interface SandboxStatsMsg {
  linux: { cpu: CpuMsg; process: { process_count: { value: string } | null }; containers: StatsMsg[] };
}

const STATS_WAIT_MS = 20_000;

test('stats, masked paths and authenticated pulls through CRI', async (t) => {
  const cri = await startCriTest(t);
  const { client, roots } = cri;
  const config = sandboxConfig(roots, 'stats');
  const { pod_sandbox_id: podId } = await client.runtime<{ pod_sandbox_id: string }>('RunPodSandbox', { config });
  const create = async (name: string, command: string[], extra = {}): Promise<string> => {
    const { container_id: id } = await client.runtime<{ container_id: string }>('CreateContainer', {
      pod_sandbox_id: podId,
      config: containerConfig(name, command, extra),
      sandbox_config: config,
    });
    await client.runtime('StartContainer', { container_id: id });
    return id;
  };

  await t.test('CPU usage grows and has a rate; memory and process count come from the cgroups', async () => {
    const burner = await create('burner', ['sh', '-c', 'while :; do :; done']);
    const sample = async (): Promise<StatsMsg> => (await client.runtime<{ stats: StatsMsg }>('ContainerStats', { container_id: burner })).stats;
    const first = await sample();
    const firstUsage = BigInt(first.cpu.usage_core_nano_seconds?.value ?? '0');
    let later = first;
    await waitFor(
      async () => {
        later = await sample();
        return BigInt(later.cpu.usage_core_nano_seconds?.value ?? '0') > firstUsage && Number(later.cpu.usage_nano_cores?.value ?? 0) > 0;
      },
      { timeoutMs: STATS_WAIT_MS, description: 'CPU usage to grow with a rate' },
    );
    // A busy loop uses about one core; the rate is in nanocores (1e9 = one core).
    assert.ok(Number(later.cpu.usage_nano_cores?.value) <= 2.5e9, `rate ${later.cpu.usage_nano_cores?.value ?? ''} is at most the host's cores`);
    const usage = Number(later.memory.usage_bytes?.value);
    const workingSet = Number(later.memory.working_set_bytes?.value);
    assert.ok(usage > 0 && workingSet > 0 && workingSet <= usage, `working set ${workingSet} within usage ${usage}`);
    assert.ok(later.memory.rss_bytes !== null);

    const listed = await client.runtime<{ stats: StatsMsg[] }>('ListContainerStats', { filter: { pod_sandbox_id: podId } });
    assert.ok(listed.stats.some((s) => s.attributes.id === burner));
    const pod = (await client.runtime<{ stats: SandboxStatsMsg }>('PodSandboxStats', { pod_sandbox_id: podId })).stats;
    assert.ok(BigInt(pod.linux.cpu.usage_core_nano_seconds?.value ?? '0') > 0n);
    assert.ok(Number(pod.linux.process.process_count?.value) >= 2, 'pause and the burner at least');
    await client.runtime('StopContainer', { container_id: burner, timeout: 0 });
    await client.runtime('RemoveContainer', { container_id: burner });
  });

  await t.test('UpdateRuntimeConfig, UpdateContainerResources, ReopenContainerLog, ListPodSandboxStats', async () => {
    await client.runtime('UpdateRuntimeConfig', { runtime_config: { network_config: { pod_cidr: '10.244.0.0/16' } } });
    const st = await client.runtime<{ status: { conditions: { type: string; status: boolean }[] } }>('Status', {});
    assert.ok(
      st.status.conditions.every((c) => c.status),
      JSON.stringify(st.status.conditions),
    );

    const writer = await create('writer', ['sh', '-c', 'i=0; while [ $i -lt 3000 ]; do echo line $i; i=$((i+1)); sleep 0.05; done']);
    await client.runtime('UpdateContainerResources', {
      container_id: writer,
      linux: { memory_limit_in_bytes: 64 * 1024 * 1024, cpu_shares: 256, cpu_period: 100000, cpu_quota: 50000 },
    });
    const limits = await readCgroupLimits(await findCgroupBelow(roots.config.cgroupRoot, writer));
    assert.equal(limits.memoryLimitBytes, 64 * 1024 * 1024);
    assert.equal(limits.cpuQuotaUs, 50000);
    assert.equal(limits.cpuPeriodUs, 100000);
    assert.deepEqual(cpuWeightOf(limits), expectedCpuWeight(limits.layout, 256));

    // The kubelet rotates by renaming the file, then asks the runtime to reopen it.
    const logPath = join(config.log_directory as string, 'writer/0.log');
    await waitFor(async () => (await readFile(logPath, 'utf8').catch(() => '')).includes('line 2'), {
      timeoutMs: STATS_WAIT_MS,
      description: 'the first log lines',
    });
    await rename(logPath, `${logPath}.1`);
    await client.runtime('ReopenContainerLog', { container_id: writer });
    await waitFor(async () => /stdout F line \d+/.test(await readFile(logPath, 'utf8').catch(() => '')), {
      timeoutMs: STATS_WAIT_MS,
      description: 'new lines in the reopened log',
    });

    const list = await client.runtime<{ stats: { attributes: { id: string } }[] }>('ListPodSandboxStats', { filter: { id: podId } });
    assert.deepEqual(
      list.stats.map((s) => s.attributes.id),
      [podId],
    );
    await client.runtime('StopContainer', { container_id: writer, timeout: 0 });
    await client.runtime('RemoveContainer', { container_id: writer });
  });

  await t.test('masked_paths and readonly_paths from the kubelet replace the defaults; empty keeps them', async () => {
    const mountinfo = async (id: string): Promise<string> => {
      const r = await client.runtime<{ stdout: Buffer; exit_code: number }>('ExecSync', {
        container_id: id,
        cmd: ['cat', '/proc/self/mountinfo'],
        timeout: 10,
      });
      assert.equal(r.exit_code, 0);
      return r.stdout.toString();
    };
    const custom = await create('custom', ['sleep', '3600'], {
      linux: { security_context: { masked_paths: ['/proc/cpuinfo'], readonly_paths: ['/proc/sys'] } },
    });
    const own = await mountinfo(custom);
    assert.match(own, / \/proc\/cpuinfo /, 'the given path is masked');
    assert.doesNotMatch(own, / \/proc\/keys /, 'the default list was replaced');
    const defaults = await create('defaults', ['sleep', '3600'], { linux: { security_context: { masked_paths: [], readonly_paths: [] } } });
    assert.match(await mountinfo(defaults), / \/proc\/keys /, 'empty lists keep the defaults');
    await assert.rejects(
      client.runtime('CreateContainer', {
        pod_sandbox_id: podId,
        config: containerConfig('relative', ['true'], { linux: { security_context: { masked_paths: ['proc/kcore'] } } }),
        sandbox_config: config,
      }),
      (err: { code?: number; details?: string }) => err.code === grpcStatus.INVALID_ARGUMENT && /masked_paths\[0\].*absolute/.test(err.details ?? ''),
    );
    for (const id of [custom, defaults]) {
      await client.runtime('StopContainer', { container_id: id, timeout: 0 });
      await client.runtime('RemoveContainer', { container_id: id });
    }
  });

  await t.test('PullImage uses the auth config: refused without or with wrong credentials, pulled with them', async (tt) => {
    const htpasswd = join(roots.dir, 'htpasswd');
    await writeFile(htpasswd, (await run('htpasswd', ['-Bbn', 'kubelet', 'pa55'])).stdout);
    const open = await startRegistry();
    tt.after(() => open.stop());
    const image = buildImage([await buildLayer([{ path: 'hello', content: 'from a private registry' }], 'gzip')], {
      architecture: hostPlatform().architecture,
    });
    await pushImage(open.host, 'private/app', 'v1', image);
    const locked = await startRegistry({ storage: open.storage, auth: { htpasswd: { path: htpasswd } } });
    tt.after(() => locked.stop());
    const ref = `${locked.host}/private/app:v1`;
    const refused = (err: { code?: number; details?: string }): boolean => err.code === grpcStatus.UNAUTHENTICATED || err.code === grpcStatus.PERMISSION_DENIED;
    await assert.rejects(client.image('PullImage', { image: { image: ref } }), refused);
    await assert.rejects(client.image('PullImage', { image: { image: ref }, auth: { username: 'kubelet', password: 'wrong' } }), refused);
    const pulled = await client.image<{ image_ref: string }>('PullImage', { image: { image: ref }, auth: { username: 'kubelet', password: 'pa55' } });
    assert.match(pulled.image_ref, /^sha256:[0-9a-f]{64}$/);
    const auth = Buffer.from('kubelet:pa55').toString('base64');
    await client.image('RemoveImage', { image: { image: ref } });
    const again = await client.image<{ image_ref: string }>('PullImage', { image: { image: ref }, auth: { auth } });
    assert.equal(again.image_ref, pulled.image_ref, 'the base64 "auth" form works too');
    await client.image('RemoveImage', { image: { image: ref } });
  });

  await client.runtime('StopPodSandbox', { pod_sandbox_id: podId });
  await client.runtime('RemovePodSandbox', { pod_sandbox_id: podId });
  client.close();
  await cri.daemon.stop();
  await assertNoLeaks(roots.config);
});
