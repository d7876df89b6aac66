// One load-generator process of the connection storm (row D), forked by storm.ts: `count` full
// mTLS handshakes, each followed by CONNECT, CONNACK, DISCONNECT and the close of the connection,
// `concurrency` at a time. A fresh handshake every time: no TLS session is offered for resumption.
import { connect } from 'node:tls';
import { CONNACK, DISCONNECT_PACKET, PacketReader, clientContext, connectPacket } from './wire.js';

export interface StormSetup {
  readonly kind: 'setup';
  readonly port: number;
  readonly cafile: string;
  readonly cert: string;
  readonly key: string;
  readonly count: number;
  readonly concurrency: number;
  readonly prefix: string;
}

export type StormReport =
  | { readonly kind: 'ready' }
  | {
      readonly kind: 'done';
      readonly ok: number;
      readonly failed: number;
      /** Connections reset by the broker after CONNACK and DISCONNECT (counted in ok). */
      readonly resets: number;
      readonly cpuSeconds: number;
      readonly errors: string[];
    };

const send = (m: StormReport) => process.send?.(m);

let setup: StormSetup | undefined;
process.on('message', (m: StormSetup | { kind: 'go' }) => {
  if (m.kind === 'setup') {
    setup = m;
    send({ kind: 'ready' });
  } else if (setup) {
    void storm(setup).then((r) => send(r));
  }
});
process.on('disconnect', () => process.exit(0));

async function storm(s: StormSetup): Promise<StormReport> {
  const secureContext = clientContext(s);
  const cpu0 = process.cpuUsage();
  let next = 0;
  let ok = 0;
  const errors: string[] = [];
  let resets = 0;
  // Resolves once the connection is closed; an error after the CONNACK (a broker that resets the
  // connection on DISCONNECT instead of closing it) still counts as a completed connect.
  const one = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: s.port, secureContext, servername: 'localhost' });
      socket.setNoDelay(true);
      let acked = false;
      let error: Error | undefined;
      const timer = setTimeout(() => socket.destroy(new Error('no CONNACK/close within 15 s')), 15_000);
      const reader = new PacketReader((type, _flags, buf, start) => {
        if (type !== CONNACK || buf[start + 1] !== 0) return socket.destroy(new Error(`bad CONNACK`));
        acked = true;
        socket.end(DISCONNECT_PACKET);
      });
      socket.on('data', (d: Buffer) => reader.push(d));
      socket.on('error', (e) => (error ??= e));
      socket.once('secureConnect', () => socket.write(connectPacket(`${s.prefix}-${i}`, 60)));
      socket.once('close', () => {
        clearTimeout(timer);
        if (acked && error) resets++;
        if (acked) resolve();
        else reject(error ?? new Error('closed before CONNACK'));
      });
    });
  const lane = async () => {
    while (next < s.count) {
      const i = next++;
      try {
        await one(i);
        ok++;
      } catch (e) {
        if (errors.length < 5) errors.push((e as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: s.concurrency }, lane));
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { kind: 'done', ok, failed: s.count - ok, resets, cpuSeconds, errors };
}
