/**
 * A logic analyser's protocol view of recorded transactions, one line each:
 *   t=220us  R 0x35 04 11 33 43  ACK
 *   t=1860us W 0x35 03 07 02 …   NACK data[2]  fault
 */
import { GENERAL_CALL_ADDRESS } from './timing.js';
import type { I2cTransaction } from './transaction.js';
import { hexAddress } from './address.js';

export function formatTransactions(transactions: readonly I2cTransaction[]): string {
  const times = transactions.map((t) => `t=${formatUs(t.timeUs)}us`);
  const width = Math.max(0, ...times.map((s) => s.length));
  return transactions
    .map((t, i) => {
      const head = `${times[i]!.padEnd(width)} ${t.direction === 'write' ? 'W' : 'R'} ${hexAddress(t.address)}`;
      const bytes = Buffer.from(t.bytes)
        .toString('hex')
        .replace(/(..)(?!$)/g, '$1 ');
      const notes = [outcome(t)];
      if (t.direction === 'write' && t.address === GENERAL_CALL_ADDRESS) notes.push('general call');
      if (t.faulted) notes.push('fault');
      return `${head}${bytes === '' ? '' : ` ${bytes}`}  ${notes.join('  ')}`;
    })
    .join('\n');
}

function outcome(t: I2cTransaction): string {
  if (t.ack) return 'ACK';
  return t.nackAt === 'data' ? `NACK data[${t.index}]` : 'NACK';
}

/** Whole microseconds as integers, fractions (22.5 µs at 400 kHz) to the nanosecond. */
function formatUs(us: number): string {
  return Number.isInteger(us) ? String(us) : String(Number(us.toFixed(3)));
}
