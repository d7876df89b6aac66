/** Poll `check` every 20 ms for at most `ms`; true when it held. Attacks never wait unbounded. */
export async function waitFor(ms: number, check: () => boolean): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}
