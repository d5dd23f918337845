// Bounded parallelism for work over many items (layers, pods to delete): a fixed number of workers pull
// the next item, so one slow item never holds back the others.

/** Runs fn over items with at most `limit` at once; rejects with the first error after the others settle. */
export async function mapConcurrent<I, O>(items: readonly I[], limit: number, fn: (item: I, index: number) => Promise<O>): Promise<O[]> {
  const results = new Array<O>(items.length);
  let next = 0;
  let firstError: { err: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < items.length && firstError === undefined) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as I, index);
      } catch (err) {
        firstError ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, () => worker()));
  if (firstError !== undefined) throw firstError.err;
  return results;
}
