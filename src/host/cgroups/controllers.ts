// Which controllers the host gives peapod, and the error when one it needs is missing. The kubelet
// refuses to start without cpu, memory or pids (pkg/kubelet/cm/container_manager_linux.go
// validateSystemRequirements); peapod does the same at daemon start and says so in `peapod info`,
// naming the controller and the file that lacks it, rather than failing every pod with EACCES later.
import { join } from 'node:path';
import { failedPrecondition } from '../../common/errors.js';
import { readOptional } from './fs.js';
import { discoverV1Hierarchies } from './v1-hierarchies.js';

/** Controllers every pod needs: requests and limits are written to them. */
export const REQUIRED_CONTROLLERS = ['cpu', 'memory', 'pids'] as const;

export interface MissingController {
  readonly controller: string;
  /** The file (v2: a cgroup.controllers) or directory (v1: a hierarchy mount) that lacks it. */
  readonly file: string;
}

export interface ControllerReport {
  readonly version: 'v1' | 'v2';
  /** Controllers available to peapod's cgroups, sorted. */
  readonly available: readonly string[];
  readonly missing: readonly MissingController[];
}

/** The one-line reason a report is unusable, or undefined when every required controller is there. */
export function controllerProblem(report: ControllerReport): string | undefined {
  if (report.missing.length === 0) return undefined;
  const what = report.missing.map((m) => `${m.controller} (not in ${m.file})`).join(', ');
  return `cgroup ${report.version}: required controller${report.missing.length > 1 ? 's' : ''} missing: ${what}; peapod needs ${REQUIRED_CONTROLLERS.join(', ')}`;
}

export function assertControllers(report: ControllerReport): void {
  const problem = controllerProblem(report);
  if (problem !== undefined) throw failedPrecondition(problem);
}

const words = (text: string | undefined): string[] => (text ?? '').split(/\s+/).filter((w) => w !== '');

/**
 * v2: the controllers the root of the hierarchy offers (its cgroup.controllers). Below it the manager
 * enables them level by level down to each pod (cgroup.subtree_control), so the root's offer is what
 * counts; a level that refuses to pass one on fails create with that level's file named.
 */
export async function v2Controllers(fsRoot: string): Promise<ControllerReport> {
  const file = join(fsRoot, 'cgroup.controllers');
  const available = words(await readOptional(file));
  const missing = REQUIRED_CONTROLLERS.filter((c) => !available.includes(c)).map((controller) => ({ controller, file }));
  return { version: 'v2', available: [...available].sort(), missing };
}

/** v1: a controller is there when a hierarchy carrying it is mounted under the fs root. */
export async function v1Controllers(fsRoot: string): Promise<ControllerReport> {
  const hierarchies = await discoverV1Hierarchies(fsRoot).catch(() => []);
  const available = [...new Set(hierarchies.flatMap((h) => h.controllers))].sort();
  const missing = REQUIRED_CONTROLLERS.filter((c) => !available.includes(c)).map((controller) => ({ controller, file: join(fsRoot, controller) }));
  return { version: 'v1', available, missing };
}
