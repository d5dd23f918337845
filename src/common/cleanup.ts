// A stack of undos for multi-step host operations (containerd's deferred cleanups, CRI-O's ResourceCleaner):
// push the undo *before* the step that can half-succeed, commit() when every step succeeded,
// and on failure run the undos newest first, collecting their errors instead of stopping at the first.

export interface Undo {
  readonly description: string;
  readonly run: () => Promise<void>;
}

export class CleanupStack {
  private undos: Undo[] = [];

  push(description: string, run: () => Promise<void>): void {
    this.undos.push({ description, run });
  }

  /** The operation succeeded: forget every undo. */
  commit(): void {
    this.undos = [];
  }

  /** Runs all undos in reverse order; returns the failures (empty when all undid cleanly). */
  async unwind(): Promise<Error[]> {
    const failures: Error[] = [];
    const undos = this.undos.reverse();
    this.undos = [];
    for (const undo of undos) {
      try {
        await undo.run();
      } catch (err) {
        failures.push(new Error(`${undo.description}: ${err instanceof Error ? err.message : String(err)}`, { cause: err }));
      }
    }
    return failures;
  }

  /**
   * Runs `body`; if it throws, unwinds and rethrows the original error, with failed undos attached
   * as an AggregateError cause so nothing is silently lost.
   */
  static async run<T>(body: (stack: CleanupStack) => Promise<T>): Promise<T> {
    const stack = new CleanupStack();
    try {
      const result = await body(stack);
      stack.commit();
      return result;
    } catch (err) {
      const failures = await stack.unwind();
      if (failures.length > 0 && err instanceof Error) {
        const undoError = new AggregateError(failures, `cleanup after failure also failed: ${failures.map((f) => f.message).join('; ')}`);
        Object.defineProperty(err, 'cleanupErrors', { value: undoError, enumerable: false });
      }
      throw err;
    }
  }
}
