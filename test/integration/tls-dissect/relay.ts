import { once } from 'node:events';
import { type AddressInfo, createServer, type Socket, connect } from 'node:net';
import type { TlsStreamChunk } from '../../../src/wire/tls/index.js';

/** A capture point between a client and a server: every byte forwarded, and recorded. */
export interface CaptureRelay {
  readonly port: number;
  /** The chunks of both directions in the order they arrived at the relay. */
  readonly chunks: TlsStreamChunk[];
  /** Resolves when both sides of the (single) relayed connection have closed. */
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

/** A tiny node:net relay to 127.0.0.1:`upstreamPort` that records what crosses it, with times. */
export async function captureRelay(upstreamPort: number): Promise<CaptureRelay> {
  const chunks: TlsStreamChunk[] = [];
  const base = BigInt(Date.now()) * 1000n - process.hrtime.bigint() / 1000n;
  const now = () => Number(base + process.hrtime.bigint() / 1000n);
  const sockets = new Set<Socket>();
  let done!: () => void;
  const closed = new Promise<void>((resolve) => (done = resolve));
  const server = createServer((down) => {
    const up = connect(upstreamPort, '127.0.0.1');
    for (const s of [down, up]) sockets.add(s);
    const pipe = (from: Socket, to: Socket, direction: 'c2s' | 's2c') => {
      from.on('data', (d: Buffer) => {
        chunks.push({ direction, timestampUs: now(), bytes: new Uint8Array(d) });
        if (to.writable) to.write(d);
      });
      from.on('end', () => to.end());
      from.on('error', () => to.destroy());
    };
    pipe(down, up, 'c2s');
    pipe(up, down, 's2c');
    // Not events.once: it rejects on 'error', and a reset connection is a normal end here.
    const closing = (s: Socket) => new Promise((resolve) => s.once('close', resolve));
    void Promise.all([closing(down), closing(up)]).then(() => done());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    chunks,
    closed,
    close: async () => {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}
