/** Poll `check` every 20 ms for at most `ms`; true when it held. Attacks never wait unbounded. */
export async function waitFor(ms: number, check: () => boolean): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

/** The lines a log gained after `mark` (its length when the attack began) that match `filter`. */
export function logSince(log: string, mark: number, filter?: RegExp, max = 12): string[] {
  return log
    .slice(mark)
    .split('\n')
    .filter((l) => l.trim() !== '' && (filter === undefined || filter.test(l)))
    .slice(0, max);
}
