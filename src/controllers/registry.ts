// The controllers the daemon runs, in start order. A new controller is one line here.
import type { Controller, ControllerContext } from './controller.js';
import { CronJobController } from './cronjob/controller.js';
import { daemonSetController } from './daemonset/controller.js';
import { DeploymentController } from './deployment/controller.js';
import { EndpointSliceController } from './endpointslice.js';
import { JobController } from './job/controller.js';
import { ReplicaSetController } from './replicaset/controller.js';
import { statefulSetController } from './statefulset/controller.js';

export type ControllerFactory = (ctx: ControllerContext) => Controller;

export const CONTROLLER_FACTORIES: readonly ControllerFactory[] = [
  (ctx) => new ReplicaSetController(ctx),
  (ctx) => new DeploymentController(ctx),
  statefulSetController,
  daemonSetController,
  (ctx) => new EndpointSliceController(ctx),
  (ctx) => new JobController(ctx),
  (ctx) => new CronJobController(ctx),
];
