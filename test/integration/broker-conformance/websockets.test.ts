// MQTT over WebSocket (MQTT 3.1.1 §6, MQTT 5.0 §6) against the broker's WebSocket listener,
// with MQTT.js ws:// clients and a bare `ws` socket for frame boundaries.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { type Packet, parser } from 'mqtt-packet';
import WebSocket from 'ws';
import { encode, inbox, Queue, startLab } from './harness.js';

/** A WebSocket speaking MQTT frame by frame; server packets parsed as they come. */
async function rawWs(url: string, t: { after(fn: () => void): void }) {
  const ws = new WebSocket(url, ['mqtt']);
  t.after(() => ws.terminate());
  const packets = new Queue<Packet>();
  const decoder = parser({ protocolVersion: 4 });
  decoder.on('packet', (p: Packet) => packets.push(p));
  ws.on('message', (data: Buffer) => decoder.parse(data));
  ws.on('close', () => packets.end('WebSocket closed'));
  ws.on('error', () => {});
  await once(ws, 'open');
  return { ws, packets };
}

describe('MQTT over WebSocket', { concurrency: true }, () => {
  test('[MQTT-6.0.0-4] the server selects the "mqtt" subprotocol', async (t) => {
    const lab = await startLab(t, {}, { websockets: true });
    const { ws } = await rawWs(lab.wsUrl, t);
    assert.equal(ws.protocol, 'mqtt');
  });

  test('[MQTT-6.0.0-2] packets need not align with WebSocket frames', async (t) => {
    const lab = await startLab(t, {}, { websockets: true });
    const { ws, packets } = await rawWs(lab.wsUrl, t);
    const connect = encode({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clientId: 'frames',
      clean: true,
      keepalive: 0,
    });
    ws.send(connect.subarray(0, 5), { binary: true });
    ws.send(connect.subarray(5), { binary: true });
    assert.equal((await packets.next()).cmd, 'connack');
    const two = Buffer.concat([
      encode({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'ws/#', qos: 1 }] }),
      encode({ cmd: 'pingreq' }),
    ]);
    ws.send(two, { binary: true });
    assert.deepEqual(
      (await packets.take(2)).map((p) => p.cmd),
      ['suback', 'pingresp'],
    );
  });

  test('[MQTT-6.0.0-1] a text frame closes the connection', async (t) => {
    const lab = await startLab(t, {}, { websockets: true });
    const { ws, packets } = await rawWs(lab.wsUrl, t);
    const connect = encode({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clientId: 'text',
      clean: true,
      keepalive: 0,
    });
    ws.send(connect.toString('latin1'), { binary: false });
    await assert.rejects(packets.next(1000), /WebSocket closed/);
  });

  for (const protocolVersion of [4, 5] as const) {
    test(`[MQTT-4.3.2-2] v${protocolVersion}: QoS 1 between a WebSocket client and a TCP client`, async (t) => {
      const lab = await startLab(t, {}, { websockets: true });
      const wsClient = await lab.client({ protocolVersion }, lab.wsUrl);
      const tcpClient = await lab.client({ protocolVersion });
      const atWs = inbox(wsClient);
      const atTcp = inbox(tcpClient);
      await wsClient.subscribeAsync('ws/in', { qos: 1 });
      await tcpClient.subscribeAsync('ws/out', { qos: 1 });
      await tcpClient.publishAsync('ws/in', 'to ws', { qos: 1 });
      await wsClient.publishAsync('ws/out', 'from ws', { qos: 1 });
      assert.equal((await atWs.next()).payload, 'to ws');
      assert.equal((await atTcp.next()).payload, 'from ws');
    });
  }

  test('[MQTT-3.3.1-8] a retained message reaches a WebSocket subscriber with RETAIN 1', async (t) => {
    const lab = await startLab(t, {}, { websockets: true });
    const pub = await lab.client();
    await pub.publishAsync('ws/state', 'on', { qos: 1, retain: true });
    const sub = await lab.client({}, lab.wsUrl);
    const got = inbox(sub);
    await sub.subscribeAsync('ws/state', { qos: 1 });
    const m = await got.next();
    assert.equal(m.payload, 'on');
    assert.equal(m.packet.retain, true);
  });

  test('[MQTT-3.1.2-8] the will of a WebSocket client that drops is published', async (t) => {
    const lab = await startLab(t, {}, { websockets: true });
    const watcher = await lab.client();
    const got = inbox(watcher);
    await watcher.subscribeAsync('ws/will', { qos: 1 });
    const dying = await lab.client(
      { will: { topic: 'ws/will', payload: Buffer.from('gone'), qos: 1, retain: false } },
      lab.wsUrl,
    );
    dying.stream.destroy();
    assert.equal((await got.next()).payload, 'gone');
    assert.equal(lab.broker.stats.connected, 1, 'the dropped WebSocket connection is gone');
  });
});
