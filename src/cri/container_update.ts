// UpdateContainerResources (and the pod-level UpdatePodSandboxResources): the cgroup is written through
// the runtime host's cgroup manager, and the record keeps the new values for ContainerStatus.
import { PeapodError } from '../common/errors.js';
import type { LinuxResources } from '../oci/types.js';
import type { CriContext } from './context.js';
import { readResources } from './convert.js';
import type { Fields } from './fields.js';
import { requireContainer, requireSandbox } from './lookup.js';
import { refuseUnsupportedResources, refuseUnsupportedUpdate } from './unsupported.js';

function requireSome(resources: LinuxResources, field: string): LinuxResources {
  if (Object.keys(resources).length === 0)
    throw new PeapodError('InvalidArgument', `${field}: no resource to update (cpu_shares, cpu_quota, cpu_period or memory_limit_in_bytes)`);
  return resources;
}

export async function updateContainerResources(ctx: CriContext, request: Fields): Promise<object> {
  const record = requireContainer(ctx.runtime, request.str('container_id'));
  const linux = request.msg('linux');
  refuseUnsupportedUpdate(request);
  if (!linux) throw new PeapodError('InvalidArgument', 'linux: LinuxContainerResources are required (peapod runs Linux containers only)');
  const resources = requireSome(readResources(linux), 'linux');
  if (record.state === 'exited') throw new PeapodError('FailedPrecondition', `container ${record.id} has exited; its resources cannot change`);
  await ctx.runtime.host.cgroups.update(record.cgroupsPath, resources);
  await ctx.runtime.containers.update(record.id, (current) => ({
    ...current,
    config: { ...current.config, resources: { ...current.config.resources, ...resources } },
  }));
  return {};
}

export async function updatePodSandboxResources(ctx: CriContext, request: Fields): Promise<object> {
  const record = requireSandbox(ctx.runtime, request.str('pod_sandbox_id'));
  refuseUnsupportedResources(request.msg('resources'));
  refuseUnsupportedResources(request.msg('overhead'));
  const resources = requireSome(readResources(request.msg('resources')), 'resources');
  await ctx.runtime.host.cgroups.update(record.config.cgroupParent, resources);
  await ctx.runtime.sandboxes.update(record.id, (current) => ({
    ...current,
    config: { ...current.config, podResources: { ...current.config.podResources, ...resources } },
  }));
  return {};
}
