/** Poll `check` every 20 ms until it holds; rejects after `ms` (attacks never wait unbounded). */
export async function waitFor(ms: number, check: () => boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The lines a log gained after `mark` (its length when the attack began) that match `filter`. */
export function logSince(log: string, mark: number, filter?: RegExp, max = 12): string[] {
  return log
    .slice(mark)
    .split('\n')
    .filter((l) => l.trim() !== '' && (filter === undefined || filter.test(l)))
    .slice(0, max);
}
