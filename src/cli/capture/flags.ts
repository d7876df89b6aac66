import { LabError } from '../../core/errors.js';

/** A TCP port from a flag; 0 only where an ephemeral port makes sense. */
export function portFlag(value: string, option: string, allowZero = false): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535 || (n === 0 && !allowZero))
    throw new LabError(
      'ERR_OPTIONS_INVALID',
      `--${option} ${value} is not a TCP port (${allowZero ? 0 : 1}–65535)`,
      {
        details: { option },
      },
    );
  return n;
}

/** HOST:PORT, with [v6]:PORT accepted for the host part. */
export function hostPortFlag(value: string, option: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(value);
  if (!m)
    throw new LabError('ERR_OPTIONS_INVALID', `--${option} ${value}: expected HOST:PORT`, {
      details: { option },
    });
  return { host: m[1] ?? m[2]!, port: portFlag(m[3]!, option) };
}

export function countFlag(value: string | undefined, option = 'count'): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1)
    throw new LabError('ERR_OPTIONS_INVALID', `--${option} ${value} is not a whole number ≥ 1`, {
      details: { option },
    });
  return n;
}

/** Resolves on the first SIGINT or SIGTERM; `off()` removes the handlers. */
export function onStopSignal(stop: () => void): { off(): void } {
  const handler = () => stop();
  process.once('SIGINT', handler).once('SIGTERM', handler);
  return { off: () => void process.off('SIGINT', handler).off('SIGTERM', handler) };
}
