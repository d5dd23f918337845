import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Fields } from './fields.js';
import {
  refuseUnsupportedContainerFields,
  refuseUnsupportedImageSpec,
  refuseUnsupportedResources,
  refuseUnsupportedSandboxFields,
  refuseUnsupportedUpdate,
} from './unsupported.js';

const POD_MODES = { network: 'POD', ipc: 'POD' };

/** What a kubelet sends on every call, as decoded with defaults (empty strings, enum names, null messages). */
function kubeletResources(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    cpu_period: '100000',
    cpu_quota: '50000',
    cpu_shares: '512',
    memory_limit_in_bytes: '134217728',
    oom_score_adj: '-997',
    cpuset_cpus: '',
    cpuset_mems: '',
    hugepage_limits: [
      { page_size: '2MB', limit: '0' },
      { page_size: '1GB', limit: '0' },
    ],
    unified: {},
    memory_swap_limit_in_bytes: '134217728',
    ...extra,
  };
}

function kubeletSecurityContext(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    capabilities: { add_capabilities: [], drop_capabilities: [], add_ambient_capabilities: [] },
    namespace_options: { network: 'POD', pid: 'CONTAINER', ipc: 'POD', target_id: '', userns_options: { mode: 'NODE', uids: [], gids: [] } },
    selinux_options: { user: '', role: '', type: '', level: '' },
    apparmor: { profile_type: 'RuntimeDefault', localhost_ref: '' },
    apparmor_profile: 'runtime/default',
    supplemental_groups_policy: 'Merge',
    seccomp: { profile_type: 'RuntimeDefault', localhost_ref: '' },
    ...extra,
  };
}

function container(extra: Record<string, unknown> = {}, sc: Record<string, unknown> = {}, resources: Record<string, unknown> = {}): Fields {
  return Fields.of(
    {
      metadata: { name: 'app', attempt: 0 },
      image: { image: 'busybox', annotations: {}, user_specified_image: 'busybox', runtime_handler: '', image_ref: '' },
      mounts: [
        {
          container_path: '/data',
          host_path: '/var/lib/kubelet/x',
          selinux_relabel: true,
          recursive_read_only: false,
          uidMappings: [],
          gidMappings: [],
          image: null,
          image_sub_path: '',
        },
      ],
      devices: [],
      CDI_devices: [],
      windows: null,
      linux: { resources: kubeletResources(resources), security_context: kubeletSecurityContext(sc) },
      ...extra,
    },
    'config',
  );
}

function sandbox(linux: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Fields {
  return Fields.of(
    {
      metadata: { name: 'p', namespace: 'default', uid: 'u', attempt: 0 },
      windows: null,
      linux: {
        cgroup_parent: '/kubepods/podu',
        security_context: kubeletSecurityContext({ run_as_user: { value: '1000' }, readonly_rootfs: false, privileged: false }),
        overhead: kubeletResources({ memory_swap_limit_in_bytes: '0' }),
        resources: { cpu_shares: '2', memory_limit_in_bytes: '0', unified: { 'memory.swap.max': '0' } },
        ...linux,
      },
      ...extra,
    },
    'config',
  );
}

test('what the kubelet sends on every call passes', () => {
  refuseUnsupportedContainerFields(container(), POD_MODES);
  refuseUnsupportedContainerFields(Fields.of({}, 'config'), POD_MODES);
  refuseUnsupportedContainerFields(container({}, { namespace_options: { network: 'NODE', pid: 'NODE', ipc: 'NODE', target_id: '' } }), {
    network: 'NODE',
    ipc: 'NODE',
  });
  refuseUnsupportedContainerFields(container({}, { apparmor: { profile_type: 'Unconfined', localhost_ref: '' }, apparmor_profile: 'unconfined' }), POD_MODES);
  refuseUnsupportedSandboxFields(sandbox());
  refuseUnsupportedSandboxFields(Fields.of({}, 'config'));
  refuseUnsupportedImageSpec(Fields.of({ image: 'busybox', runtime_handler: 'runc' }, 'image'));
  refuseUnsupportedUpdate(Fields.of({ container_id: 'c', linux: kubeletResources(), windows: null, annotations: { a: 'b' } }, ''));
});

test('a container field peapod cannot honour is refused, naming the field', () => {
  const cases: [Fields, RegExp][] = [
    [container({ devices: [{ container_path: '/dev/fuse', host_path: '/dev/fuse', permissions: 'rwm' }] }), /config\.devices: devices are not supported/],
    [container({ CDI_devices: [{ name: 'vendor.com/gpu=0' }] }), /config\.CDI_devices: /],
    [container({ windows: {} }), /config\.windows: peapod runs Linux containers only/],
    [container({ mounts: [{ container_path: '/d', host_path: '/h', recursive_read_only: true }] }), /config\.mounts\[0\]\.recursive_read_only: /],
    [
      container({ mounts: [{ container_path: '/d', host_path: '/h', uidMappings: [{ host_id: 1000, container_id: 0, length: 1 }] }] }),
      /config\.mounts\[0\]\.uidMappings: ID-mapped/,
    ],
    [container({ mounts: [{ container_path: '/d', host_path: '/h', image_sub_path: 'x' }] }), /config\.mounts\[0\]\.image_sub_path: /],
    [
      container({}, { selinux_options: { user: '', role: '', type: 'spc_t', level: '' } }),
      /config\.linux\.security_context\.selinux_options\.type: SELinux labels are not supported/,
    ],
    [container({}, { selinux_options: { level: 's0:c1,c2' } }), /selinux_options\.level: /],
    [
      container({}, { apparmor: { profile_type: 'Localhost', localhost_ref: 'k8s-deny-write' } }),
      /config\.linux\.security_context\.apparmor\.profile_type: AppArmor Localhost profiles are not supported by peapod; allowed are RuntimeDefault and Unconfined/,
    ],
    [container({}, { apparmor_profile: 'localhost/k8s-deny-write' }), /security_context\.apparmor_profile: "localhost\/k8s-deny-write" is not supported/],
    [container({}, { supplemental_groups_policy: 'Strict' }), /security_context\.supplemental_groups_policy: Strict is not supported/],
    [
      container({}, { namespace_options: { network: 'POD', pid: 'POD', ipc: 'POD', userns_options: { mode: 'POD', uids: [], gids: [] } } }),
      /namespace_options\.userns_options\.mode: user namespaces are not supported/,
    ],
    [
      container({}, { namespace_options: { network: 'NODE', pid: 'POD', ipc: 'POD' } }),
      /namespace_options\.network: a container shares its sandbox's network namespace/,
    ],
    [container({}, { namespace_options: { network: 'POD', pid: 'POD', ipc: 'CONTAINER' } }), /namespace_options\.ipc: /],
    [container({}, { capabilities: { add_ambient_capabilities: ['CAP_NET_BIND_SERVICE'] } }), /capabilities\.add_ambient_capabilities: /],
    [container({}, {}, { cpuset_cpus: '0-1' }), /config\.linux\.resources\.cpuset_cpus: cpusets are not supported/],
    [container({}, {}, { cpuset_mems: '0' }), /resources\.cpuset_mems: /],
    [
      container({}, {}, { hugepage_limits: [{ page_size: '2MB', limit: '2097152' }] }),
      /resources\.hugepage_limits\[0\]\.limit: hugepage limits are not supported/,
    ],
    [container({}, {}, { unified: { 'memory.high': '100000' } }), /resources\.unified: cgroup v2 keys \(memory\.high\)/],
    [container({}, {}, { unified: { 'memory.swap.max': '1000' } }), /resources\.unified: /],
    [container({}, {}, { memory_swap_limit_in_bytes: '268435456' }), /resources\.memory_swap_limit_in_bytes: swap limits are not supported/],
  ];
  for (const [f, expected] of cases) {
    assert.throws(
      () => refuseUnsupportedContainerFields(f, POD_MODES),
      (err: unknown) => err instanceof Error && (err as { code?: string }).code === 'InvalidArgument' && expected.test(err.message),
      String(expected),
    );
  }
});

test('a sandbox field peapod cannot honour is refused, naming the field', () => {
  assert.throws(() => refuseUnsupportedSandboxFields(sandbox({}, { windows: {} })), /config\.windows: /);
  assert.throws(
    () => refuseUnsupportedSandboxFields(sandbox({ security_context: { selinux_options: { user: 'system_u' } } })),
    /config\.linux\.security_context\.selinux_options\.user: /,
  );
  assert.throws(
    () => refuseUnsupportedSandboxFields(sandbox({ security_context: { apparmor: { profile_type: 'Localhost', localhost_ref: 'p' } } })),
    /config\.linux\.security_context\.apparmor\.profile_type: /,
  );
  assert.throws(
    () => refuseUnsupportedSandboxFields(sandbox({ security_context: { namespace_options: { userns_options: { mode: 'POD' } } } })),
    /config\.linux\.security_context\.namespace_options\.userns_options\.mode: /,
  );
  assert.throws(() => refuseUnsupportedSandboxFields(sandbox({ resources: { cpuset_cpus: '1' } })), /config\.linux\.resources\.cpuset_cpus: /);
  assert.throws(
    () => refuseUnsupportedSandboxFields(sandbox({ overhead: { hugepage_limits: [{ page_size: '2MB', limit: '1' }] } })),
    /config\.linux\.overhead\.hugepage_limits\[0\]\.limit: /,
  );
});

test('image specs, updates and pod resources are checked too', () => {
  assert.throws(
    () => refuseUnsupportedImageSpec(Fields.of({ image: 'busybox', runtime_handler: 'kata' }, 'image')),
    /image\.runtime_handler: "kata" is not configured/,
  );
  assert.throws(() => refuseUnsupportedUpdate(Fields.of({ container_id: 'c', windows: {} }, '')), /windows: /);
  assert.throws(() => refuseUnsupportedUpdate(Fields.of({ container_id: 'c', linux: { cpuset_cpus: '0' } }, '')), /linux\.cpuset_cpus: /);
  assert.throws(() => refuseUnsupportedResources(Fields.of({ unified: { 'cpu.max': '1000 100000' } }, 'resources')), /resources\.unified: /);
  refuseUnsupportedResources(undefined);
});
