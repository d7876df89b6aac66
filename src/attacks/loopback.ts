import { isIP } from 'node:net';
import { LabError } from '../core/errors.js';

/** True for 127.0.0.0/8, ::1, ::ffff:127.x.y.z and "localhost". */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  const v = isIP(host);
  if (v === 4) return host.startsWith('127.');
  if (v === 6) {
    const h = host.toLowerCase();
    return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  }
  return false;
}

/**
 * Attacks act on the lab's own loopback system. Pointing one elsewhere needs `allowRemote`,
 * which `lab run` never sets.
 */
export function assertLoopback(host: string, allowRemote = false): void {
  if (allowRemote || isLoopback(host)) return;
  throw new LabError('ERR_LAB_NOT_LOOPBACK', `refusing to attack ${host}: not a loopback address`, {
    details: { host },
  });
}
