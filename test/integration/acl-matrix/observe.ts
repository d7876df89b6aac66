// One broker through the whole ACL matrix, in phases that share connections: wills, then
// publishes (seen by a privileged observer), then subscriptions (retained messages), then a
// privileged publisher's messages. Each phase ends on PINGREQ barriers, so "not delivered" is
// known, not guessed from a timeout. The result is one outcome string per cell.
import type { TestContext } from 'node:test';
import { type BrokerKind, startBroker, waitForPort } from '../../helpers/brokers.js';
import { freePort } from '../../helpers/process.js';
import { type Client, connectClient, type Endpoint } from './client.js';
import { ADMIN, ADMIN_ROW, brokerConf, type MatrixFiles, type Row, ROWS, UNSUBSCRIBED } from './fixtures.js';

export type Outcomes = Map<string, string>;

/** Beyond the barrier, for a broker that writes a delivery one turn of its event loop late. */
const GRACE_MS = 100;
/** How long a dropped connection may take to become a published will. */
const WILL_GRACE_MS = 300;
/** Connections opened at once in the will phase. */
const CONCURRENCY = 8;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const hex = (code: number | 'plain' | undefined) =>
  typeof code === 'number' ? `0x${code.toString(16).padStart(2, '0')}` : String(code);

export const cellKey = (row: Row, action: string, topic: string): string =>
  `${row.identity.key} | MQTT ${row.version === 5 ? '5' : '3.1.1'} | ${action} | ${topic}`;

/** Run `work` over `items`, at most `limit` at a time. */
async function bounded<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(lanes);
}

const payloadsOf = (c: Client) => new Set(c.received.map((m) => m.payload.toString()));

export async function observe(
  t: TestContext,
  kind: BrokerKind,
  dir: string,
  files: MatrixFiles,
): Promise<Outcomes> {
  const [tcp, tls] = [await freePort(), await freePort()];
  const broker = await startBroker(t, kind, dir, brokerConf(tcp, tls, files), tcp);
  await waitForPort(tls, broker, 10_000);
  const endpoint = (row: Row): Endpoint =>
    row.identity.mtls ? { port: tls, tls: files.clientTls } : { port: tcp };
  const out: Outcomes = new Map();
  const opened: Client[] = [];
  t.after(() => opened.forEach((c) => void c.drop()));
  const open = async (ep: Endpoint, login: Parameters<typeof connectClient>[1]) => {
    const c = await connectClient(ep, login);
    opened.push(c);
    return c;
  };

  // Every topic holds a retained message before anyone subscribes.
  const admin = await open({ port: tcp }, { version: 5, clientId: ADMIN_ROW.clientId, username: ADMIN });
  if (admin.connack !== 0) throw new Error(`${kind}: the privileged client was refused (${admin.connack})`);
  const topics = [...new Set(ROWS.flatMap((r) => r.topics))];
  for (const topic of topics.filter((tp) => !tp.startsWith('$'))) {
    await admin.publish(topic, `retained|${topic}`, 1, true);
  }
  await admin.subscribe('#');

  // Wills: a fresh connection per cell (its own client id, so none takes over another),
  // dropped without DISCONNECT once accepted.
  await bounded(ROWS, CONCURRENCY, async (row) => {
    for (const [n, topic] of row.topics.entries()) {
      const key = cellKey(row, 'will', topic);
      const c = await open(endpoint(row), {
        version: row.version,
        clientId: `${row.clientId}-w${n}`,
        ...(row.identity.username !== undefined ? { username: row.identity.username } : {}),
        will: { topic, payload: key },
      });
      out.set(key, c.connack === null ? 'no CONNACK' : `CONNACK ${hex(c.connack)}`);
      await c.drop();
    }
  });
  await sleep(WILL_GRACE_MS);
  await admin.ping();

  // Publishes, QoS 0 and 1; the observer subscribed to '#' says what was delivered.
  const clients = new Map<Row, Client>();
  await Promise.all(
    ROWS.map(async (row) => {
      const c = await open(endpoint(row), {
        version: row.version,
        clientId: row.clientId,
        ...(row.identity.username !== undefined ? { username: row.identity.username } : {}),
      });
      if (c.connack !== 0) throw new Error(`${kind}: ${row.identity.key} was refused (${c.connack})`);
      clients.set(row, c);
      for (const topic of row.topics) {
        await c.publish(topic, cellKey(row, 'publish QoS 0', topic), 0);
        const ack = await c.publish(topic, cellKey(row, 'publish QoS 1', topic), 1);
        out.set(cellKey(row, 'publish QoS 1', topic), `PUBACK ${hex(ack)}`);
      }
      await c.ping();
    }),
  );
  await admin.ping();
  await sleep(GRACE_MS);
  const seen = payloadsOf(admin);
  for (const [key, outcome] of out) {
    if (key.includes('| will |') && outcome === 'CONNACK 0x00') {
      out.set(key, `${outcome}, will ${seen.has(key) ? 'delivered' : 'dropped'}`);
    }
  }
  for (const row of ROWS) {
    for (const topic of row.topics) {
      const q0 = cellKey(row, 'publish QoS 0', topic);
      out.set(q0, seen.has(q0) ? 'delivered' : 'dropped');
      const q1 = cellKey(row, 'publish QoS 1', topic);
      out.set(q1, `${out.get(q1)}, ${seen.has(q1) ? 'delivered' : 'dropped'}`);
    }
  }
  // From here on nobody subscribes to everything: a PUBACK can say "no matching subscribers".
  await admin.unsubscribe('#');

  // Subscriptions: SUBACK, and the retained message each one brings.
  const subacks = new Map<string, string>();
  await Promise.all(
    ROWS.map(async (row) => {
      const c = clients.get(row)!;
      for (const topic of row.topics)
        subacks.set(cellKey(row, 'subscribe', topic), `SUBACK ${await c.subscribe(topic)}`);
      await c.ping();
    }),
  );
  await sleep(GRACE_MS);
  for (const row of ROWS) {
    const c = clients.get(row)!;
    for (const topic of row.topics) {
      const got = c.received.some((m) => m.retain && m.topic === topic);
      out.set(cellKey(row, 'retained on subscribe', topic), got ? 'received' : 'not received');
    }
  }

  // The privileged publisher's messages: who receives them, and what its own PUBACK says —
  // on the matrix's topics, and on one nobody subscribes to.
  for (const topic of [...topics, UNSUBSCRIBED]) {
    out.set(
      cellKey(ADMIN_ROW, 'publish QoS 1', topic),
      `PUBACK ${hex(await admin.publish(topic, `live|${topic}`, 1))}`,
    );
  }
  await Promise.all([...clients.values()].map((c) => c.ping()));
  await sleep(GRACE_MS);
  for (const row of ROWS) {
    const got = payloadsOf(clients.get(row)!);
    for (const topic of row.topics) {
      const key = cellKey(row, 'subscribe', topic);
      out.set(key, `${subacks.get(key)}, ${got.has(`live|${topic}`) ? 'received' : 'not received'}`);
    }
  }

  await Promise.all([...clients.values(), admin].map((c) => c.disconnect()));
  return out;
}
