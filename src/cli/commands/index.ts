// Every CLI verb group, registered in the order `peapod --help` lists them.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { registerSystemCommands } from './system.js';
import { registerApply } from './apply.js';
import { registerCreate } from './create.js';
import { registerGet } from './get.js';
import { registerDescribe } from './describe.js';
import { registerLogs } from './logs.js';
import { registerExec } from './exec.js';
import { registerDelete } from './delete.js';
import { registerRollout, registerScale } from './rollout.js';
import { registerDebug } from './debug.js';
import { registerImageCommands } from './images.js';
import { registerTop } from './top.js';
import { registerKubeconfig } from './kubeconfig.js';
import { registerDashboard } from './dashboard.js';

export function registerCommands(program: Command, ctx: () => CliContext): void {
  registerApply(program, ctx);
  registerCreate(program, ctx);
  registerGet(program, ctx);
  registerDescribe(program, ctx);
  registerLogs(program, ctx);
  registerExec(program, ctx);
  registerDelete(program, ctx);
  registerRollout(program, ctx);
  registerScale(program, ctx);
  registerDebug(program, ctx);
  registerImageCommands(program, ctx);
  registerTop(program, ctx);
  registerSystemCommands(program, ctx);
  registerKubeconfig(program, ctx);
  registerDashboard(program, ctx);
}
