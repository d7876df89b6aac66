/** A timer that can be cancelled; unlike setTimeout it may be longer than 24.8 days. */
export interface LongTimer {
  clear(): void;
}

// Node clamps a delay above 2^31-1 ms to 1 ms: a session expiry of 30 days would fire at once.
const MAX_DELAY = 2 ** 31 - 1;

/** Run `fn` after `ms`, re-arming in steps a Node timer can hold; never keeps the process alive. */
export function setLongTimeout(fn: () => void, ms: number): LongTimer {
  const deadline = Date.now() + ms;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const left = deadline - Date.now();
    if (left <= 0) {
      fn();
      return;
    }
    timer = setTimeout(arm, Math.min(left, MAX_DELAY));
    timer.unref?.();
  };
  timer = setTimeout(arm, Math.min(Math.max(ms, 0), MAX_DELAY));
  timer.unref?.();
  return { clear: () => clearTimeout(timer) };
}
