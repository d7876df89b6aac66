import type { TcpConnection } from '../tcp/index.js';
import type { AnalysisNote, Direction } from './types.js';

/** A contiguous piece of one direction, released in capture order once every byte before it arrived. */
export interface StreamChunk {
  readonly direction: Direction;
  readonly offset: number;
  /** When the piece became readable: its own arrival, or the arrival of the hole it waited for. */
  readonly timestampUs: number;
  readonly bytes: Uint8Array;
}

export interface OrderedStreams {
  readonly chunks: readonly StreamChunk[];
  /** Bytes released per direction: everything up to the first gap. */
  readonly readable: Readonly<Record<Direction, number>>;
  readonly streams: Readonly<Record<Direction, Uint8Array>>;
  readonly notes: readonly AnalysisNote[];
}

const DIR = { 'client-to-server': 'c2s', 'server-to-client': 's2c' } as const;

/**
 * The connection's new data in capture order, but each direction in sequence order: an
 * out-of-order segment waits until the hole before it is filled. Dissectors need a byte stream;
 * the reassembler's zeros for missing bytes are never fed to them: a direction stops at its
 * first gap, with a note.
 */
export function orderedStreams(conn: TcpConnection): OrderedStreams {
  const streams = { c2s: conn.clientToServer.bytes, s2c: conn.serverToClient.bytes };
  const waiting = { c2s: new Map<number, number>(), s2c: new Map<number, number>() };
  const frontier = { c2s: 0, s2c: 0 };
  const chunks: StreamChunk[] = [];
  for (const c of conn.chunks) {
    const dir = DIR[c.direction];
    const held = waiting[dir];
    let at = frontier[dir];
    if (c.offset === at && held.size === 0) {
      at += c.length; // in sequence and nothing waiting: the usual case needs no bookkeeping
    } else {
      held.set(c.offset, c.length);
      for (let n = held.get(at); n !== undefined; n = held.get(at)) {
        held.delete(at);
        at += n;
      }
    }
    if (at === frontier[dir]) continue;
    chunks.push({
      direction: dir,
      offset: frontier[dir],
      timestampUs: c.timestampUs,
      bytes: streams[dir].subarray(frontier[dir], at),
    });
    frontier[dir] = at;
  }
  const notes: AnalysisNote[] = [];
  const meta = { c2s: conn.clientToServer, s2c: conn.serverToClient };
  for (const dir of ['c2s', 's2c'] as const) {
    const gap = meta[dir].gaps[0];
    if (gap !== undefined) {
      const missing = meta[dir].gaps.reduce((n, g) => n + g.length, 0);
      notes.push({
        direction: dir,
        offset: gap.offset,
        what: `${missing} bytes were not captured (first gap at ${gap.offset}); this direction is read up to it`,
      });
    }
    if (meta[dir].truncated)
      notes.push({ direction: dir, what: 'stream longer than the reassembly limit: the rest was dropped' });
    if (meta[dir].conflictingBytes > 0)
      notes.push({
        direction: dir,
        what: `${meta[dir].conflictingBytes} retransmitted bytes differ from the first copy (the first copy is read)`,
      });
  }
  return { chunks, readable: frontier, streams, notes };
}
