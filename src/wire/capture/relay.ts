/**
 * The capture relay: a loopback TCP relay between clients and an upstream (the broker) that
 * forwards bytes both ways unchanged — unless a tamper hook changes them in transit — and records
 * every chunk with its time and direction, as a tap on the wire would. The recording becomes a
 * pcap/pcapng file in which each relayed connection is one synthesized TCP conversation.
 */
import { lookup } from 'node:dns/promises';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { LabError } from '../../core/errors.js';
import { clockSchema, parseOptions, z } from '../../core/options.js';
import type { TcpDirection } from '../pcap/frames/tcp.js';
import { CaptureRecording, ipSchema, portSchema, recordingSchema } from './recording.js';
import { microsecondClock } from './clock.js';

export type TamperHook = (chunk: Uint8Array, direction: TcpDirection, connectionIndex: number) => Uint8Array;

const schema = z.strictObject({
  listenPort: z.number().int().min(0).max(65535).default(0),
  listenHost: z.string().min(1).default('127.0.0.1'),
  upstreamHost: z.string().min(1),
  upstreamPort: z.number().int().min(1).max(65535),
  clock: clockSchema.optional(),
  /** Changes a chunk in transit; the changed bytes are forwarded and recorded. Default: identity. */
  tamper: z.custom<TamperHook>((v) => typeof v === 'function', 'expected a function').optional(),
  /** How the connections appear in the file; the server port defaults to upstreamPort. */
  capture: recordingSchema
    .omit({ server: true })
    .extend({ server: z.strictObject({ ip: ipSchema.optional(), port: portSchema.optional() }).optional() })
    .optional(),
  /** An upstream that does not answer in this time counts as refused. */
  connectTimeoutMs: z.number().int().min(1).default(10_000),
});
export type CaptureRelayOptions = z.input<typeof schema>;

export interface RelayError {
  readonly connection: number;
  readonly direction: TcpDirection | 'connect';
  readonly error: unknown;
}

export interface CaptureRelay {
  readonly host: string;
  readonly port: number;
  readonly recording: CaptureRecording;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Socket errors and tamper-hook failures, per connection, in order. */
  readonly errors: readonly RelayError[];
  toPcap(): Uint8Array;
  toPcapng(): Uint8Array;
  /** Stop listening, end every connection (recorded as FIN both ways), resolve when all are closed. */
  close(): Promise<void>;
}

export async function startCaptureRelay(options: CaptureRelayOptions): Promise<CaptureRelay> {
  const o = parseOptions(schema, options, 'startCaptureRelay');
  const upstreamAddress = await resolve(o.upstreamHost);
  const { server: serverView, ...captureRest } = o.capture ?? {};
  const recording = new CaptureRecording({
    ...captureRest,
    server: { ...serverView, port: serverView?.port ?? o.upstreamPort },
  });
  const now = microsecondClock(o.clock);
  const tamper: TamperHook = o.tamper ?? ((chunk) => chunk);
  const errors: RelayError[] = [];
  const live = new Map<number, { client: Socket; upstream: Socket }>();

  const server = createServer({ allowHalfOpen: true }, (client) => {
    const index = recording.open();
    const upstream = connect({ host: upstreamAddress, port: o.upstreamPort, allowHalfOpen: true });
    live.set(index, { client, upstream });
    let connected = false;
    client.pause(); // hold the client's bytes until there is somewhere to send them
    upstream.setTimeout(o.connectTimeoutMs, () => upstream.destroy(new Error('upstream connect timeout')));
    upstream.once('connect', () => {
      connected = true;
      upstream.setTimeout(0);
      recording.connected(index, now());
      client.resume();
    });
    const pipe = (from: Socket, to: Socket, direction: TcpDirection) => {
      from.on('data', (chunk: Buffer) => {
        let out: Uint8Array;
        try {
          out = tamper(chunk, direction, index);
        } catch (error) {
          errors.push({ connection: index, direction, error });
          recording.reset(index, direction, now());
          upstream.destroy();
          if (!client.destroyed) client.resetAndDestroy();
          return;
        }
        const changed = differs(chunk, out);
        recording.data(
          index,
          direction,
          out,
          now(),
          changed ? `tampered in transit (${changed})` : undefined,
        );
        if (!to.write(out)) {
          from.pause();
          to.once('drain', () => from.resume());
        }
      });
      // Half-close: a FIN one way is passed on, the other way stays open (RFC 793 §3.5).
      from.on('end', () => {
        recording.close(index, direction, now());
        to.end();
      });
    };
    pipe(client, upstream, 'client-to-server');
    pipe(upstream, client, 'server-to-client');
    client.on('error', (error) => {
      errors.push({ connection: index, direction: 'client-to-server', error });
      recording.reset(index, 'client-to-server', now());
      upstream.destroy();
    });
    upstream.on('error', (error) => {
      errors.push({ connection: index, direction: connected ? 'server-to-client' : 'connect', error });
      if (connected) recording.reset(index, 'server-to-client', now());
      else recording.refused(index, now());
      if (!client.destroyed) client.resetAndDestroy();
    });
    let open = 2;
    const closed = () => {
      if (--open === 0) live.delete(index);
    };
    client.once('close', closed);
    upstream.once('close', closed);
  });

  await listen(server, o.listenPort, o.listenHost);
  const address = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    host: address.address,
    port: address.port,
    recording,
    get accepted() {
      return recording.connectionCount;
    },
    errors,
    toPcap: () => recording.toPcap(),
    toPcapng: () => recording.toPcapng(),
    close() {
      closing ??= new Promise<void>((done) => {
        server.close(() => done());
        const t = now();
        for (const [index, { client, upstream }] of live) {
          recording.close(index, 'client-to-server', t);
          recording.close(index, 'server-to-client', t);
          client.destroy();
          upstream.destroy();
        }
      });
      return closing;
    },
  };
}

/** How many bytes the hook changed, as text for a packet comment; '' when it changed nothing. */
function differs(before: Uint8Array, after: Uint8Array): string {
  if (before === after) return '';
  if (before.length !== after.length) return `${before.length} → ${after.length} bytes`;
  let n = 0;
  for (let i = 0; i < before.length; i++) if (before[i] !== after[i]) n++;
  return n === 0 ? '' : `${n} of ${before.length} bytes differ`;
}

async function resolve(host: string): Promise<string> {
  try {
    return (await lookup(host)).address;
  } catch (cause) {
    throw new LabError('ERR_CAPTURE_RELAY', `capture relay: cannot resolve upstream host ${host}`, {
      cause,
      details: { host },
    });
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((done, fail) => {
    const onError = (cause: Error) =>
      fail(
        new LabError(
          'ERR_CAPTURE_RELAY',
          `capture relay: cannot listen on ${host}:${port}: ${cause.message}`,
          {
            cause,
            details: { host, port },
          },
        ),
      );
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      done();
    });
  });
}
