// The differential test of acl_file: one mosquitto.conf and one ACL file on Mosquitto 2.0.11 and
// on our broker (the built CLI); every identity × action × topic × MQTT version must end the
// same way on both — delivered or not, the PUBACK's reason code, the SUBACK, the CONNACK of a
// CONNECT carrying a will and whether that will is published. Then the differences we keep on
// purpose, against our broker alone, and the file syntax, with Mosquitto as the judge of which
// files are malformed.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseAclFile } from '../../src/broker/acl.js';
import { parseMosquittoConf } from '../../src/broker/config/index.js';
import { startBroker as startInProcess } from '../../src/broker/start.js';
import { isLabError } from '../../src/core/errors.js';
import { startBroker } from '../helpers/brokers.js';
import { tempDir } from '../helpers/openssl.js';
import { freePort } from '../helpers/process.js';
import { type Client, connectClient, type Login } from './acl-matrix/client.js';
import {
  type AclDenied,
  DELIBERATE_ACL,
  DENY_LINE,
  denialKey,
  type ExpectedDenial,
  lookalikes,
  ODD_IDENTITIES,
} from './acl-matrix/deliberate.js';
import { ADMIN_ROW, makeMatrixFiles, ROWS, UNSUBSCRIBED } from './acl-matrix/fixtures.js';
import { observe } from './acl-matrix/observe.js';

/**
 * What the ACL file means, cell by cell, for a sample of cells: checked against Mosquitto too,
 * so a matrix where the ACL silently failed to load (everything allowed, or everything denied)
 * cannot pass by agreeing with itself.
 */
const MEANING: Readonly<Record<string, string>> = {
  'm5go-publisher | MQTT 5 | publish QoS 1 | m5go/env': 'PUBACK 0x00, delivered',
  'm5go-publisher | MQTT 5 | subscribe | m5go/env': 'SUBACK 0, not received',
  'm5stack-subscriber | MQTT 5 | subscribe | m5go/env': 'SUBACK 0, received',
  'm5stack-subscriber | MQTT 5 | publish QoS 1 | m5go/env': 'PUBACK 0x87, dropped',
  'm5stack-subscriber | MQTT 3.1.1 | publish QoS 1 | m5go/env': 'PUBACK plain, dropped',
  'anonymous | MQTT 3.1.1 | subscribe | public/news': 'SUBACK 0, received',
  // `topic deny` wins over the broader `topic read public/#`, wherever it stands.
  'anonymous | MQTT 3.1.1 | subscribe | public/secret': 'SUBACK 0, not received',
  'anonymous | MQTT 3.1.1 | retained on subscribe | public/secret': 'not received',
  'alice | MQTT 3.1.1 | subscribe | public/secret': 'SUBACK 0, received',
  'alice | MQTT 5 | publish QoS 0 | alice/data': 'delivered',
  'alice | MQTT 5 | publish QoS 0 | alice/private/key': 'dropped',
  'alice | MQTT 5 | publish QoS 1 | logs/alice.log': 'PUBACK 0x00, delivered',
  'anonymous | MQTT 5 | publish QoS 1 | logs/%u.log': 'PUBACK 0x87, dropped',
  'bob | MQTT 5 | publish QoS 1 | alice/data': 'PUBACK 0x87, dropped',
  'bob | MQTT 5 | retained on subscribe | alice/data': 'received',
  // bob's own `topic read devices/#` grants before the patterns (and their deny) are looked at.
  'bob | MQTT 5 | subscribe | devices/bob/blocked': 'SUBACK 0, received',
  'bob | MQTT 5 | publish QoS 1 | devices/bob/blocked': 'PUBACK 0x87, dropped',
  'sysmon | MQTT 5 | retained on subscribe | $SYS/broker/version': 'received',
  'alice | MQTT 5 | retained on subscribe | $SYS/broker/version': 'not received',
  'mallory (not in the ACL) | MQTT 5 | publish QoS 1 | devices/mallory/temp': 'PUBACK 0x00, delivered',
  'mallory (not in the ACL) | MQTT 5 | publish QoS 1 | alice/data': 'PUBACK 0x87, dropped',
  'mallory, client id with + | MQTT 5 | publish QoS 1 | devices/mallory/temp': 'PUBACK 0x87, dropped',
  'mallory, client id with # | MQTT 3.1.1 | publish QoS 0 | devices/mallory/temp': 'dropped',
  'anonymous, client id with + | MQTT 5 | subscribe | public/news': 'SUBACK 0, received',
  'anonymous | MQTT 5 | subscribe | clients/anon-v5/in': 'SUBACK 0, received',
  'anonymous | MQTT 5 | publish QoS 1 | clients/anon-v5/in': 'PUBACK 0x87, dropped',
  'empty username | MQTT 5 | subscribe | public/news': 'SUBACK 0, received',
  'certificate CN m5go-01 | MQTT 5 | publish QoS 1 | devices/m5go-01/temp': 'PUBACK 0x00, delivered',
  'certificate CN m5go-01 | MQTT 3.1.1 | publish QoS 1 | m5go/env': 'PUBACK plain, dropped',
  'm5go-publisher | MQTT 3.1.1 | will | m5go/env': 'CONNACK 0x00, will delivered',
  'admin (privileged) | MQTT 5 | publish QoS 1 | $SYS/broker/version': 'PUBACK 0x87',
  [`admin (privileged) | MQTT 5 | publish QoS 1 | ${UNSUBSCRIBED}`]: 'PUBACK 0x10',
};

/** The matrix's parts, each a subtest, so a failure says which kind of cell differs. */
const PARTS: readonly { readonly name: string; readonly has: (key: string) => boolean }[] = [
  {
    name: 'publish QoS 0 (delivered to a privileged subscriber or not)',
    has: (k) => k.includes('| publish QoS 0 |'),
  },
  {
    name: 'publish QoS 1 (PUBACK, delivered or not)',
    has: (k) => k.includes('| publish QoS 1 |') && !k.startsWith(ADMIN_ROW.identity.key),
  },
  {
    name: "subscribe (SUBACK, a privileged publisher's message received or not)",
    has: (k) => k.includes('| subscribe |'),
  },
  { name: 'retained message on subscribe', has: (k) => k.includes('| retained on subscribe |') },
  {
    name: 'will (CONNACK, will published on a dropped connection or not)',
    has: (k) => k.includes('| will |'),
  },
  { name: "the privileged publisher's PUBACK", has: (k) => k.startsWith(ADMIN_ROW.identity.key) },
];

test('ACL matrix: Mosquitto 2.0.11 and mqtts-lab agree cell by cell', async (t) => {
  const started = Date.now();
  const dir = tempDir(t);
  const files = await makeMatrixFiles(dir);
  const [theirs, ours] = await Promise.all([
    observe(t, 'mosquitto', dir, files),
    observe(t, 'mqtts-lab', dir, files),
  ]);
  const elapsed = Date.now() - started;
  assert.deepEqual([...ours.keys()].sort(), [...theirs.keys()].sort());
  assert.equal(
    PARTS.reduce((n, p) => n + [...theirs.keys()].filter(p.has).length, 0),
    theirs.size,
    'every cell is in exactly one part',
  );
  const denied = [...theirs.values()].filter((o) => /dropped|not received|0x87|0x05/.test(o)).length;
  t.diagnostic(
    `${theirs.size} cells (${ROWS.length} identity × version rows), ${denied} denied, ${elapsed} ms`,
  );

  await t.test('the ACL is in force: Mosquitto does what the file means', () => {
    for (const [key, meaning] of Object.entries(MEANING)) assert.equal(theirs.get(key), meaning, key);
  });
  for (const part of PARTS) {
    await t.test(part.name, (st) => {
      // Every disagreement at once, not just the first.
      const disagreements = [...theirs]
        .filter(([key, want]) => part.has(key) && ours.get(key) !== want)
        .map(([key, want]) => `${key}: mosquitto "${want}", ours "${ours.get(key)}"`);
      for (const line of disagreements) st.diagnostic(line);
      assert.equal(
        disagreements.length,
        0,
        `${disagreements.length} cells differ, first:\n${disagreements.slice(0, 10).join('\n')}`,
      );
    });
  }
});

/** Lines whose file Mosquitto refuses to start with (exit 3), and lines it accepts. */
const ACL_LINES: readonly { readonly line: string; readonly refused: boolean }[] = [
  { line: 'user', refused: true },
  { line: 'user   ', refused: true },
  { line: 'topic', refused: true },
  { line: 'pattern', refused: true },
  { line: 'topic sometimes a/b', refused: true },
  { line: 'topic read a/#/b', refused: true },
  { line: 'topic read a+/b', refused: true },
  { line: 'pattern write #/%u', refused: true },
  { line: 'frobnicate x', refused: true },
  { line: '  # an indented comment', refused: true },
  { line: 'topic\tread a/b', refused: true },
  { line: '# a comment', refused: false },
  { line: 'topic read', refused: false },
  { line: 'topic deny', refused: false },
  { line: 'topic  read   a/b', refused: false },
  { line: '  topic read a/b', refused: false },
  { line: 'topic read a/b   ', refused: false },
  { line: 'topic read a b/c', refused: false },
  { line: 'user alice bob', refused: false },
  { line: 'pattern write %u/+', refused: false },
  { line: 'topic write a//b', refused: false },
  { line: 'topic read $SYS/#', refused: false },
];

test('acl_file syntax: parseAclFile refuses exactly the files Mosquitto 2.0.11 refuses', async (t) => {
  const root = tempDir(t);
  chmodSync(root, 0o755);
  const observed = await Promise.all(
    ACL_LINES.map(async ({ line }, n) => {
      const dir = join(root, String(n));
      mkdirSync(dir, { mode: 0o755 });
      const acl = join(dir, 'acl');
      writeFileSync(acl, `${line}\n`, { mode: 0o644 });
      const port = await freePort();
      const conf = `listener ${port} 127.0.0.1\nallow_anonymous true\nacl_file ${acl}\n`;
      let mosquittoRefused: boolean;
      try {
        const broker = await startBroker(t, 'mosquitto', dir, conf, port);
        broker.child.kill();
        mosquittoRefused = false;
      } catch (err) {
        assert.match((err as Error).message, /broker exited \(3\)/, line);
        mosquittoRefused = true;
      }
      let oursRefused = false;
      try {
        parseAclFile(`${line}\n`, 'acl');
      } catch (err) {
        assert.ok(isLabError(err) && err.code === 'ERR_BROKER_ACL_FILE', `${line}: ${String(err)}`);
        assert.deepEqual(err.details, { file: 'acl', line: 1 });
        oursRefused = true;
      }
      return { line, mosquittoRefused, oursRefused };
    }),
  );
  for (const o of observed) {
    const want = ACL_LINES.find((l) => l.line === o.line)!.refused;
    assert.equal(o.mosquittoRefused, want, `Mosquitto on ${JSON.stringify(o.line)}`);
    assert.equal(o.oursRefused, want, `parseAclFile on ${JSON.stringify(o.line)}`);
  }
});

test('deliberate differences: no identity reaches past its own level (our broker only)', async (t) => {
  const dir = tempDir(t);
  const acl = join(dir, 'acl');
  writeFileSync(acl, DELIBERATE_ACL);
  const port = await freePort();
  const config = parseMosquittoConf(`listener ${port} 127.0.0.1\nallow_anonymous true\nacl_file ${acl}\n`, {
    file: join(dir, 'mosquitto.conf'),
    baseDir: dir,
  });
  const log: string[] = [];
  const running = await startInProcess(config, { stderr: (l) => log.push(l), stdout: (l) => log.push(l) });
  t.after(() => running.close());
  const events: AclDenied[] = [];
  running.broker.events.subscribe((e) => {
    if (e.type === 'acl-denied') events.push(e);
  });
  const expected: ExpectedDenial[] = [];
  const clients: Client[] = [];
  t.after(() => clients.forEach((c) => void c.drop()));
  const open = async (login: Login) => {
    const c = await connectClient({ port }, login);
    clients.push(c);
    return c;
  };
  const admin = await open({ version: 5, clientId: 'admin', username: 'admin' });
  await admin.subscribe('#');

  /**
   * `who` may write exactly `write` and read exactly `read` among `topics`: each one published
   * (PUBACK, and the observer's view) and subscribed to (the privileged publisher's message).
   */
  async function probe(
    who: { clientId: string; username?: string },
    topics: readonly string[],
    may: { write: readonly string[]; read: readonly string[] },
  ): Promise<void> {
    const name = JSON.stringify(who);
    const c = await open({ version: 5, ...who });
    assert.equal(c.connack, 0, name);
    const identity = { clientId: who.clientId, username: who.username };
    for (const topic of topics) {
      const allowed = may.write.includes(topic);
      const ack = await c.publish(topic, `${name} → ${topic}`, 1);
      assert.equal(ack, allowed ? 0 : 0x87, `${name} publishes ${topic}`);
      if (!allowed) expected.push({ ...identity, action: 'publish', topic });
    }
    for (const topic of topics) assert.deepEqual(await c.subscribe(topic), [0]);
    for (const topic of topics) {
      await admin.publish(topic, `live ${name} ${topic}`, 1);
      if (!may.read.includes(topic)) expected.push({ ...identity, action: 'receive', topic });
    }
    await Promise.all([c.ping(), admin.ping()]);
    const got = new Set(c.received.map((m) => m.payload.toString()));
    const seen = new Set(admin.received.map((m) => m.payload.toString()));
    for (const topic of topics) {
      assert.equal(got.has(`live ${name} ${topic}`), may.read.includes(topic), `${name} receives ${topic}`);
      assert.equal(seen.has(`${name} → ${topic}`), may.write.includes(topic), `${name}'s ${topic} delivered`);
    }
    await c.disconnect();
  }

  /** A will on a topic `who` may not write is never published, and the denial is reported. */
  async function will(who: { clientId: string; username?: string }, topic: string): Promise<void> {
    const payload = `will of ${JSON.stringify(who)}`;
    const c = await open({ version: 5, ...who, will: { topic, payload } });
    // Refused at CONNECT (0x87), or accepted and the will dropped when it would be published.
    if (c.connack === 0) await c.drop();
    else assert.equal(c.connack, 0x87);
    expected.push({ clientId: who.clientId, username: who.username, action: 'will', topic });
    const deadline = Date.now() + 3000;
    while (!events.some((e) => e.action === 'will' && e.clientId === who.clientId) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await admin.ping();
    assert.ok(!admin.received.some((m) => m.payload.toString() === payload), `${payload} was published`);
  }

  await t.test('username alice/x gets nothing of devices/alice/x/…, which alice gets', async () => {
    const topics = ['devices/alice/x/temp', 'devices/alice/temp', 'devices/alice/x/blocked'];
    await probe({ clientId: 'alice', username: 'alice' }, [...topics, 'devices/alice/blocked'], {
      write: topics,
      read: topics,
    });
    const blocked = events.find((e) => e.topic === 'devices/alice/blocked' && e.action === 'publish');
    assert.equal(blocked?.line, DENY_LINE, 'the deny pattern is named as the reason');
    await probe({ clientId: 'alice-x', username: 'alice/x' }, topics, { write: [], read: [] });
    await will({ clientId: 'alice-x-will', username: 'alice/x' }, 'devices/alice/x/temp');
  });

  await t.test('client id a/b does not read clients/a/b/in through %c; ab reads clients/ab/in', async () => {
    await probe({ clientId: 'ab' }, ['clients/ab/in'], { write: [], read: ['clients/ab/in'] });
    await probe({ clientId: 'a/b' }, ['clients/a/b/in', 'clients/a/in'], { write: [], read: [] });
  });

  for (const { name, value } of ODD_IDENTITIES) {
    await t.test(`${name}: its own single level, nothing else`, async () => {
      const own = `devices/${value}/temp`;
      const others = lookalikes(value).map((l) => `devices/${l}/temp`);
      await probe({ clientId: `u-${value}`, username: value }, [own, ...others, `devices/${value}/blocked`], {
        write: [own],
        read: [own],
      });
      const inbox = `clients/${value}/in`;
      await probe({ clientId: value }, [inbox, ...lookalikes(value).map((l) => `clients/${l}/in`)], {
        write: [],
        read: [inbox],
      });
      await will({ clientId: `w-${value}`, username: value }, others[0]!);
    });
  }

  await t.test('a client id with + loses every pattern (CVE-2017-7650), as in Mosquitto', async () => {
    await probe({ clientId: 'eve-ok', username: 'eve' }, ['devices/eve/temp'], {
      write: ['devices/eve/temp'],
      read: ['devices/eve/temp'],
    });
    await probe({ clientId: 'eve+', username: 'eve' }, ['devices/eve/temp'], { write: [], read: [] });
    const dangerous = events.filter((e) => e.clientId === 'eve+');
    assert.ok(
      dangerous.length > 0 && dangerous.every((e) => e.line === undefined && /\+ or #/.test(e.reason)),
    );
  });

  await t.test("every denial was emitted as an 'acl-denied' event, and logged", () => {
    const count = (keys: string[]) => {
      const m = new Map<string, number>();
      for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
      return [...m].sort(([a], [b]) => a.localeCompare(b));
    };
    assert.deepEqual(count(events.map(denialKey)), count(expected.map(denialKey)));
    assert.equal(log.filter((l) => l.includes('ACL denied')).length, events.length);
  });
});
