// Fault points for crash-injection tests: named places between two side effects where the daemon can be
// made to die as if the machine lost power. Off unless the environment enables them:
//   PEAPOD_FAULT=<point>[#n]   SIGKILL this process the n-th time (default 1) <point> is crossed
//   PEAPOD_FAULT_TRACE=<file>  append every crossed point to <file>, one per line, so a test can list them
// Nothing here runs in a normal daemon: faultInjectionEnabled() is false and no proxy is installed.
import { appendFileSync } from 'node:fs';

interface FaultSettings {
  readonly point?: string;
  readonly occurrence: number;
  readonly traceFile?: string;
}

function readSettings(env: NodeJS.ProcessEnv): FaultSettings {
  const spec = env['PEAPOD_FAULT'] ?? '';
  const [point, count] = spec.split('#');
  const occurrence = count === undefined ? 1 : Number(count);
  return {
    ...(point ? { point } : {}),
    occurrence: Number.isInteger(occurrence) && occurrence > 0 ? occurrence : 1,
    ...(env['PEAPOD_FAULT_TRACE'] ? { traceFile: env['PEAPOD_FAULT_TRACE'] } : {}),
  };
}

const settings = readSettings(process.env);
const crossings = new Map<string, number>();

export function faultInjectionEnabled(): boolean {
  return settings.point !== undefined || settings.traceFile !== undefined;
}

/** Marks a fault point; with PEAPOD_FAULT naming it, the process dies here without any cleanup. */
export function faultPoint(name: string): void {
  if (!faultInjectionEnabled()) return;
  const n = (crossings.get(name) ?? 0) + 1;
  crossings.set(name, n);
  // Synchronous on purpose: the line must be on disk before a kill that may follow.
  if (settings.traceFile) appendFileSync(settings.traceFile, `${name}\n`);
  if (name === settings.point && n === settings.occurrence) process.kill(process.pid, 'SIGKILL');
}

/**
 * Wraps the named methods of a host-facing object (those with side effects: reads and polls are left
 * alone, so the crossing counts do not depend on timing) so that each call crosses
 * `<prefix>.<method>.before` and, once its promise resolves, `<prefix>.<method>.after`: a kill can land
 * between any two side effects. Returns the object itself when fault injection is off.
 */
export function withFaultPoints<T extends object>(target: T, prefix: string, methods: readonly (keyof T & string)[]): T {
  if (!faultInjectionEnabled()) return target;
  const wrapped = new Set<string>(methods);
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value: unknown = Reflect.get(obj, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string' || !wrapped.has(prop)) return value;
      return (...args: unknown[]): unknown => {
        faultPoint(`${prefix}.${prop}.before`);
        const result: unknown = Reflect.apply(value as (...a: unknown[]) => unknown, obj, args);
        if (result instanceof Promise) {
          return result.then((v: unknown) => {
            faultPoint(`${prefix}.${prop}.after`);
            return v;
          });
        }
        faultPoint(`${prefix}.${prop}.after`);
        return result;
      };
    },
  });
}
