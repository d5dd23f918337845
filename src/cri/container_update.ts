// UpdateContainerResources (and the pod-level UpdatePodSandboxResources): the runtime writes the cgroup
// and keeps the new values on the record for ContainerStatus, under the container's (sandbox's) lock.
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
  await ctx.runtime.updateContainerResources(record.id, resources);
  return {};
}

export async function updatePodSandboxResources(ctx: CriContext, request: Fields): Promise<object> {
  const record = requireSandbox(ctx.runtime, request.str('pod_sandbox_id'));
  refuseUnsupportedResources(request.msg('resources'));
  refuseUnsupportedResources(request.msg('overhead'));
  const resources = requireSome(readResources(request.msg('resources')), 'resources');
  await ctx.runtime.updatePodSandboxResources(record.id, resources);
  return {};
}
