// The relay over real loopback sockets: the socket behaviour (half-close, refusal, reset,
// back-pressure, close) is the subject, so nothing here is simulated.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { test, type TestContext } from 'node:test';
import { freePort } from '../../../test/helpers/process.js';
import { isLabError } from '../../core/errors.js';
import { FixedClock } from '../../core/clock.js';
import { tcpSegments } from '../pcap/frames/decode.js';
import { TCP_FLAGS } from '../pcap/frames/tcp.js';
import { readCapture } from '../pcap/read-capture.js';
import { reassembleTcp, type TcpConnection } from '../tcp/reassemble.js';
import { type CaptureRelayOptions, startCaptureRelay } from './relay.js';

/** An upstream that answers each chunk with "ECHO:" + chunk, and "bye" + FIN after the client's FIN. */
async function upstream(
  t: TestContext,
  onSocket?: (s: Socket) => void,
): Promise<{ port: number; received: Buffer[] }> {
  const received: Buffer[] = [];
  const server: Server = createServer({ allowHalfOpen: true }, (s) => {
    if (onSocket) return onSocket(s);
    s.on('data', (d: Buffer) => {
      received.push(d);
      s.write(Buffer.concat([Buffer.from('ECHO:'), d]));
    });
    s.on('end', () => s.end('bye'));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => new Promise<void>((done) => server.close(() => done())));
  return { port: (server.address() as AddressInfo).port, received };
}

async function relayTo(t: TestContext, port: number, extra: Partial<CaptureRelayOptions> = {}) {
  const relay = await startCaptureRelay({ upstreamHost: 'localhost', upstreamPort: port, ...extra });
  t.after(() => relay.close());
  return relay;
}

/** Connect, send, half-close, collect everything until the relay closes our socket. */
async function converse(port: number, chunks: (string | Buffer)[]): Promise<{ data: Buffer; error?: Error }> {
  const s = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  const got: Buffer[] = [];
  let error: Error | undefined;
  s.on('data', (d: Buffer) => got.push(d));
  s.on('error', (e) => (error = e));
  const closed = new Promise((done) => s.once('close', done)); // events.once would reject on 'error'
  for (const c of chunks) s.write(c);
  s.end();
  await closed;
  return { data: Buffer.concat(got), ...(error ? { error } : {}) };
}

const connectionsIn = (file: Uint8Array): TcpConnection[] =>
  reassembleTcp(tcpSegments(readCapture(file).packets));

test('bytes pass unchanged both ways, half-close included, and the capture holds exactly them', async (t) => {
  const up = await upstream(t);
  const relay = await relayTo(t, up.port, { capture: { server: { ip: '10.0.0.1' }, clientIp: '10.0.0.2' } });
  assert.equal(relay.host, '127.0.0.1');
  const big = Buffer.alloc(300_000, 0x5a); // several socket reads, exercises back-pressure
  const r = await converse(relay.port, ['hello', big]);
  const sent = Buffer.concat([Buffer.from('hello'), big]);
  assert.deepEqual(Buffer.concat(up.received), sent);
  assert.ok(r.data.toString('latin1').endsWith('bye'));
  assert.equal(r.data.length, sent.length + 5 * up.received.length + 3);
  await relay.close();
  for (const file of [relay.toPcap(), relay.toPcapng()]) {
    const [c, ...more] = connectionsIn(file);
    assert.equal(more.length, 0);
    assert.deepEqual(
      [c!.client, c!.server],
      [
        { ip: '10.0.0.2', port: 49152 },
        { ip: '10.0.0.1', port: up.port },
      ],
    );
    assert.deepEqual(Buffer.from(c!.clientToServer.bytes), sent);
    assert.deepEqual(Buffer.from(c!.serverToClient.bytes), r.data);
    for (const st of [c!.clientToServer, c!.serverToClient])
      assert.deepEqual([st.gaps, st.finSeen, st.resetSeen], [[], true, false]);
  }
  assert.deepEqual(relay.errors, []);
});

test('each client is its own conversation, with its own synthetic client port', async (t) => {
  const up = await upstream(t);
  const relay = await relayTo(t, up.port, { clock: new FixedClock('2025-01-01T00:00:00Z') });
  await Promise.all([converse(relay.port, ['a']), converse(relay.port, ['b']), converse(relay.port, ['c'])]);
  await relay.close();
  const conns = connectionsIn(relay.toPcap());
  assert.equal(relay.accepted, 3);
  assert.deepEqual(conns.map((c) => c.client.port).sort(), [49152, 49153, 49154]);
  assert.deepEqual(conns.map((c) => Buffer.from(c.clientToServer.bytes).toString()).sort(), ['a', 'b', 'c']);
  assert.ok(
    conns.every((c) => c.startUs === Date.parse('2025-01-01T00:00:00Z') * 1000),
    'the injected clock stamps the frames',
  );
});

test('upstream refused: the client is reset, the capture shows SYN answered by RST', async (t) => {
  const relay = await relayTo(t, await freePort());
  const r = await converse(relay.port, ['hello']);
  assert.equal(r.data.length, 0);
  assert.equal((r.error as NodeJS.ErrnoException | undefined)?.code, 'ECONNRESET');
  await relay.close();
  const segs = tcpSegments(readCapture(relay.toPcapng()).packets);
  assert.deepEqual(
    segs.map((s) => s.flags),
    [TCP_FLAGS.SYN, TCP_FLAGS.RST | TCP_FLAGS.ACK],
  );
  assert.equal(relay.errors[0]?.direction, 'connect');
  assert.equal((relay.errors[0]?.error as NodeJS.ErrnoException).code, 'ECONNREFUSED');
});

test('upstream reset after connect: the client is reset, the capture ends in the server RST', async (t) => {
  const up = await upstream(t, (s) => s.once('data', () => s.resetAndDestroy()));
  const relay = await relayTo(t, up.port);
  const r = await converse(relay.port, ['boom']);
  assert.equal((r.error as NodeJS.ErrnoException | undefined)?.code, 'ECONNRESET');
  await relay.close();
  const [c] = connectionsIn(relay.toPcap());
  assert.equal(Buffer.from(c!.clientToServer.bytes).toString(), 'boom');
  assert.equal(c!.serverToClient.resetSeen, true);
});

test('tamper hook: the changed bytes are what upstream gets and what the capture shows, with a comment', async (t) => {
  const up = await upstream(t);
  const seen: [string, number][] = [];
  const relay = await relayTo(t, up.port, {
    tamper: (chunk, direction, index) => {
      seen.push([direction, index]);
      if (direction !== 'client-to-server') return chunk;
      const out = Uint8Array.from(chunk);
      out[0]! ^= 0x01; // flip one bit in transit
      return out;
    },
  });
  await converse(relay.port, ['abc']);
  await relay.close();
  assert.equal(Buffer.concat(up.received).toString(), '`bc');
  assert.deepEqual(seen[0], ['client-to-server', 0]);
  const capture = readCapture(relay.toPcapng());
  assert.equal(Buffer.from(connectionsIn(relay.toPcapng())[0]!.clientToServer.bytes).toString(), '`bc');
  assert.deepEqual(
    capture.packets.filter((p) => p.comment !== undefined).map((p) => p.comment),
    ['tampered in transit (1 of 3 bytes differ)'],
  );
});

test('a tamper hook that throws resets that connection and is reported; the relay keeps serving', async (t) => {
  const up = await upstream(t);
  const relay = await relayTo(t, up.port, {
    tamper: (chunk, _d, index) => {
      if (index === 0) throw new Error('hook bug');
      return chunk;
    },
  });
  const first = await converse(relay.port, ['x']);
  assert.equal((first.error as NodeJS.ErrnoException | undefined)?.code, 'ECONNRESET');
  const second = await converse(relay.port, ['y']);
  assert.equal(second.data.toString(), 'ECHO:ybye');
  assert.equal((relay.errors[0]?.error as Error).message, 'hook bug');
});

test('close() stops listening and ends live connections, recorded as FIN both ways', async (t) => {
  const up = await upstream(t);
  const relay = await relayTo(t, up.port);
  const s = connect({ host: '127.0.0.1', port: relay.port });
  s.on('error', () => undefined);
  s.write('live');
  await once(s, 'data');
  const closed = once(s, 'close');
  await relay.close();
  await closed;
  await relay.close(); // idempotent
  const refused = connect({ host: '127.0.0.1', port: relay.port });
  const [err] = (await once(refused, 'error')) as [NodeJS.ErrnoException];
  assert.equal(err.code, 'ECONNREFUSED');
  const [c] = connectionsIn(relay.toPcap());
  assert.deepEqual([c!.clientToServer.finSeen, c!.serverToClient.finSeen], [true, true]);
  assert.equal(Buffer.from(c!.serverToClient.bytes).toString(), 'ECHO:live');
});

test('a port in use or an upstream that does not resolve is ERR_CAPTURE_RELAY; options are validated', async (t) => {
  const up = await upstream(t);
  const relay = await relayTo(t, up.port);
  await assert.rejects(
    startCaptureRelay({ listenPort: relay.port, upstreamHost: '127.0.0.1', upstreamPort: up.port }),
    (e) => isLabError(e, 'ERR_CAPTURE_RELAY') && e.details.port === relay.port,
  );
  await assert.rejects(
    startCaptureRelay({ upstreamHost: 'no-such-host.invalid', upstreamPort: 1883 }),
    (e) => isLabError(e, 'ERR_CAPTURE_RELAY') && e.details.host === 'no-such-host.invalid',
  );
  await assert.rejects(startCaptureRelay({ upstreamHost: '127.0.0.1', upstreamPort: 0 }), (e) =>
    isLabError(e, 'ERR_OPTIONS_INVALID'),
  );
  await assert.rejects(
    startCaptureRelay({ upstreamHost: '127.0.0.1', upstreamPort: 1, listen: 1 } as never),
    (e) => isLabError(e, 'ERR_OPTIONS_UNKNOWN_KEY'),
  );
});
