import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { tcpSegments } from '../pcap/frames/decode.js';
import { readCapture } from '../pcap/read-capture.js';
import { reassembleTcp } from '../tcp/reassemble.js';
import { CaptureRecording } from './recording.js';

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);
const T = 1_700_000_000_000_000;

test('each connection is one conversation with its own client port; the file reassembles to the recorded bytes', () => {
  const r = new CaptureRecording({ server: { ip: '10.0.0.1', port: 8883 }, clientIp: '10.0.0.2' });
  const a = r.open();
  const b = r.open();
  r.connected(a, T);
  r.connected(b, T + 1);
  r.data(a, 'client-to-server', text('hello'), T + 2);
  r.data(b, 'client-to-server', text('other'), T + 3);
  r.data(a, 'server-to-client', text('HELLO'), T + 4);
  r.close(a, 'client-to-server', T + 5);
  r.data(a, 'server-to-client', text(' after half-close'), T + 6);
  r.close(a, 'server-to-client', T + 7);
  assert.equal(r.isDone(a), true);
  assert.equal(r.isDone(b), false);
  for (const file of [r.toPcap(), r.toPcapng()]) {
    const conns = reassembleTcp(tcpSegments(readCapture(file).packets));
    assert.deepEqual(
      conns.map((c) => [
        c.client,
        c.server,
        str(c.clientToServer.bytes),
        str(c.serverToClient.bytes),
        c.clientToServer.finSeen,
      ]),
      [
        [
          { ip: '10.0.0.2', port: 49152 },
          { ip: '10.0.0.1', port: 8883 },
          'hello',
          'HELLO after half-close',
          true,
        ],
        [{ ip: '10.0.0.2', port: 49153 }, { ip: '10.0.0.1', port: 8883 }, 'other', '', false],
      ],
    );
  }
});

test('events the TCP model cannot hold are ignored, never thrown: data before connect, after FIN, after RST', () => {
  const r = new CaptureRecording({ server: { port: 1883 } });
  const i = r.open();
  r.data(i, 'client-to-server', text('early'), T);
  r.close(i, 'client-to-server', T);
  r.connected(i, T + 1);
  r.connected(i, T + 1);
  r.close(i, 'client-to-server', T + 2);
  r.close(i, 'client-to-server', T + 2);
  r.data(i, 'client-to-server', text('late'), T + 3);
  r.reset(i, 'server-to-client', T + 4);
  r.data(i, 'server-to-client', text('after reset'), T + 5);
  r.data(99, 'server-to-client', text('no such connection'), T + 5);
  const [c] = r.conversations();
  assert.deepEqual(
    c!.events.map((e) => e.type),
    ['connect', 'close', 'reset'],
  );
  assert.deepEqual(c!.server, { ip: '127.0.0.1', port: 1883 });
  assert.deepEqual(c!.client, { ip: '127.0.0.2', port: 49152 });
});

test('refused upstream: SYN then RST; a connection with no event is not in the file', () => {
  const r = new CaptureRecording({ server: { port: 1883 } });
  r.refused(r.open(), T);
  r.open();
  assert.equal(r.connectionCount, 2);
  assert.equal(r.conversations().length, 1);
  assert.equal(r.packets().length, 2);
});

test('times never go backwards within a connection; comments ride on data', () => {
  const r = new CaptureRecording({ server: { port: 1883 } });
  const i = r.open();
  r.connected(i, T + 10);
  r.data(i, 'client-to-server', text('x'), T + 5, 'tampered');
  const [c] = r.conversations();
  assert.deepEqual(
    c!.events.map((e) => e.timestampUs),
    [T + 10, T + 10],
  );
  assert.equal(r.packets().find((p) => p.comment !== undefined)?.comment, 'tampered');
});

test('recorded data is a copy, bounded by maxBytes (then truncated)', () => {
  const r = new CaptureRecording({ server: { port: 1883 }, maxBytes: 4 });
  const i = r.open();
  r.connected(i, T);
  const chunk = text('abc');
  r.data(i, 'client-to-server', chunk, T);
  chunk[0] = 0x7a;
  r.data(i, 'client-to-server', text('de'), T);
  r.data(i, 'client-to-server', text('f'), T);
  assert.equal(r.truncated, true);
  const [conn] = reassembleTcp(tcpSegments(readCapture(r.toPcap()).packets));
  assert.equal(str(conn!.clientToServer.bytes), 'abcf');
});

test('clientEndpoint maps connection index to a synthetic client; options are validated', () => {
  const r = new CaptureRecording({
    server: { ip: '10.0.0.1', port: 1883 },
    clientEndpoint: (i) => ({ ip: `10.0.0.${10 + i}`, port: 40000 }),
  });
  r.connected(r.open(), T);
  r.connected(r.open(), T);
  assert.deepEqual(
    r.conversations().map((c) => c.client.ip),
    ['10.0.0.10', '10.0.0.11'],
  );
  assert.throws(
    () => new CaptureRecording({ server: { port: 0 } }),
    (e) => isLabError(e, 'ERR_OPTIONS_INVALID'),
  );
  assert.throws(
    () => new CaptureRecording({ server: { port: 1 }, clientIp: 'localhost' }),
    (e) => isLabError(e, 'ERR_OPTIONS_INVALID'),
  );
  assert.throws(
    () => new CaptureRecording({ server: { port: 1 }, mtu: 1 } as never),
    (e) => isLabError(e, 'ERR_OPTIONS_UNKNOWN_KEY'),
  );
});
