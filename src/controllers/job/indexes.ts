// Completion indexes of Indexed Jobs: status.completedIndexes is written as sorted intervals ("1,3-5"), as the Job
// controller's orderedIntervals.String() does.

/** Parses "1,3-5" into its indexes below `completions`; malformed parts are skipped, as the controller does. */
export function parseIndexes(text: string | undefined, completions: number): Set<number> {
  const out = new Set<number>();
  if (!text) return out;
  for (const part of text.split(',')) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!match) continue;
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    for (let i = first; i <= last && i < completions; i++) out.add(i);
  }
  return out;
}

export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] ?? 0) + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The lowest `count` indexes below `completions` that have neither succeeded nor an active pod (firstPendingIndexes). */
export function firstPendingIndexes(succeeded: ReadonlySet<number>, active: ReadonlySet<number>, count: number, completions: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < completions && out.length < count; i++) if (!succeeded.has(i) && !active.has(i)) out.push(i);
  return out;
}

/** The index a pod carries in its annotation, or undefined when absent or not a plain non-negative integer. */
export function completionIndexOf(annotations: Readonly<Record<string, string>> | undefined, key: string): number | undefined {
  const value = annotations?.[key];
  return value !== undefined && /^(0|[1-9]\d{0,8})$/.test(value) ? Number(value) : undefined;
}
