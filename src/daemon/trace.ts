// PEAPOD_TRACE=1: every host call of the runtime is logged with its duration, to see where a pod
// start spends its time (the benchmark says how long; this says where).
export function traced<T extends object>(target: T, name: string, log: (message: string) => void): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value: unknown = Reflect.get(obj, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        const start = process.hrtime.bigint();
        const result: unknown = Reflect.apply(value as (...a: unknown[]) => unknown, obj, args);
        const done = (): void => log(`trace ${name}.${String(prop)} ${(Number(process.hrtime.bigint() - start) / 1e6).toFixed(1)} ms`);
        if (result instanceof Promise) return result.finally(done);
        done();
        return result;
      };
    },
  });
}
