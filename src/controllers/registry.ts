// The controllers the daemon runs, in start order. A new controller is one entry here. Each is loaded at
// its first object (lazy.ts); name, kind and owned kinds are known before that.
import { lazyController, type ControllerFactory, type LazyControllerSpec } from './lazy.js';

export type { ControllerFactory } from './lazy.js';

export const CONTROLLER_SPECS: readonly LazyControllerSpec[] = [
  {
    name: 'replicaset',
    kind: 'ReplicaSet',
    owns: ['Pod'],
    load: async () => {
      const { ReplicaSetController } = await import('./replicaset/controller.js');
      return (ctx) => new ReplicaSetController(ctx);
    },
  },
  {
    name: 'deployment',
    kind: 'Deployment',
    owns: ['ReplicaSet'],
    load: async () => {
      const { DeploymentController } = await import('./deployment/controller.js');
      return (ctx) => new DeploymentController(ctx);
    },
  },
  {
    name: 'statefulset',
    kind: 'StatefulSet',
    owns: ['Pod', 'PersistentVolumeClaim'],
    load: async () => (await import('./statefulset/controller.js')).statefulSetController,
  },
  {
    name: 'daemonset',
    kind: 'DaemonSet',
    owns: ['Pod'],
    load: async () => (await import('./daemonset/controller.js')).daemonSetController,
  },
  {
    name: 'endpointslice',
    kind: 'Service',
    owns: ['EndpointSlice'],
    load: async () => {
      const { EndpointSliceController } = await import('./endpointslice.js');
      return (ctx) => new EndpointSliceController(ctx);
    },
  },
  {
    name: 'job',
    kind: 'Job',
    owns: ['Pod'],
    load: async () => {
      const { JobController } = await import('./job/controller.js');
      return (ctx) => new JobController(ctx);
    },
  },
  {
    name: 'cronjob',
    kind: 'CronJob',
    owns: ['Job'],
    load: async () => {
      const { CronJobController } = await import('./cronjob/controller.js');
      return (ctx) => new CronJobController(ctx);
    },
  },
];

export const CONTROLLER_FACTORIES: readonly ControllerFactory[] = CONTROLLER_SPECS.map(lazyController);
