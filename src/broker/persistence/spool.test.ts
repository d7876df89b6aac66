import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Session, type Delivery } from '../session.js';
import { SessionSpool, SPOOL_MAGIC } from './spool.js';
import { Spools } from './spools.js';
import { BrokerStore } from './store.js';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'spool-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const delivery = (n: number, size = 8): Delivery => ({
  message: {
    topic: `m5go/env/${n}`,
    payload: Buffer.alloc(size, n % 251),
    qos: 2,
    retain: n % 2 === 0,
    properties:
      n % 3 === 0 ? { contentType: 'application/json', correlationData: Buffer.from([n & 255]) } : undefined,
    expiresAt: n % 5 === 0 ? 1_700_000_000_000 + n : undefined,
    origin: 'pub',
  },
  qos: n % 2 === 0 ? 1 : 2,
  retain: false,
  subscriptionIds: n % 4 === 0 ? [n, 7] : undefined,
});

const topics = (entries: readonly { delivery: Delivery }[]) => entries.map((e) => e.delivery.message.topic);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

function written(path: string, n: number, head = 0): void {
  const { spool } = SessionSpool.open(path, 'sub', head, 'never');
  for (const i of range(head, head + n)) spool.append(delivery(i));
  spool.flush();
  spool.close();
}

test('entries appended are read back in order, whole, with their sequence numbers; file mode 0600', (t) => {
  const path = join(tempDir(t), 'sub.spool');
  written(path, 20);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.ok(readFileSync(path).subarray(0, SPOOL_MAGIC.length).equals(SPOOL_MAGIC));
  const { spool, recovery } = SessionSpool.open(path, 'sub', 0, 'never');
  t.after(() => spool.close());
  assert.deepEqual(recovery, { entries: 20, droppedRecords: 0, droppedBytes: 0 });
  assert.equal(spool.count, 20);
  const first = spool.take(7);
  assert.deepEqual(
    first.map((e) => e.seq),
    range(0, 7),
  );
  assert.deepEqual(
    first.map((e) => e.delivery),
    range(0, 7).map((n) => delivery(n)),
  );
  assert.deepEqual(
    topics(spool.take(100)),
    range(7, 20).map((n) => `m5go/env/${n}`),
  );
  assert.equal(spool.count, 0);
  assert.equal(spool.head, 20);
});

test('what is appended and not yet flushed is read too; a drained spool is deleted, numbering goes on', (t) => {
  const path = join(tempDir(t), 'sub.spool');
  const { spool } = SessionSpool.open(path, 'sub', 0, 'always');
  t.after(() => spool.close());
  for (const n of range(0, 3)) spool.append(delivery(n));
  assert.deepEqual(
    spool.take(10).map((e) => e.seq),
    [0, 1, 2],
  );
  assert.ok(existsSync(path));
  assert.ok(spool.reclaim() < 0);
  assert.equal(existsSync(path), false);
  assert.equal(spool.bytes, 0);
  spool.append(delivery(3));
  spool.flush();
  assert.deepEqual(
    spool.take(10).map((e) => e.seq),
    [3],
  );
});

test('a torn last record is dropped and reported; the entries before it are kept; the file is rewritten clean', (t) => {
  const path = join(tempDir(t), 'sub.spool');
  written(path, 3);
  const whole = readFileSync(path);
  writeFileSync(path, whole.subarray(0, whole.length - 5));
  const { spool, recovery } = SessionSpool.open(path, 'sub', 0, 'never');
  assert.equal(recovery.entries, 2);
  assert.equal(recovery.droppedRecords, 1);
  assert.ok(recovery.droppedBytes > 0);
  spool.close();
  // Rewritten: a second open finds no damage, and the next sequence number follows the last kept.
  const again = SessionSpool.open(path, 'sub', 0, 'never');
  t.after(() => again.spool.close());
  assert.deepEqual(again.recovery, { entries: 2, droppedRecords: 0, droppedBytes: 0 });
  again.spool.append(delivery(2));
  assert.deepEqual(
    again.spool.take(10).map((e) => e.seq),
    [0, 1, 2],
  );
});

test('garbage in the middle costs only the entries it covers', (t) => {
  const path = join(tempDir(t), 'sub.spool');
  written(path, 4);
  const bytes = readFileSync(path);
  const at = bytes.indexOf(Buffer.from('m5go/env/1')) + 2;
  for (let i = 0; i < 6; i++) bytes[at + i] = 0x5a;
  writeFileSync(path, bytes);
  const { spool, recovery } = SessionSpool.open(path, 'sub', 0, 'never');
  t.after(() => spool.close());
  assert.equal(recovery.droppedRecords, 1);
  assert.deepEqual(
    spool.take(10).map((e) => e.seq),
    [0, 2, 3],
  );
});

test('pure garbage, a file that is not a spool, and another client’s spool: nothing recovered, no crash', (t) => {
  const dir = tempDir(t);
  const garbage = join(dir, 'a.spool');
  writeFileSync(garbage, Buffer.concat([SPOOL_MAGIC, Buffer.from('\xa5\x12garbage garbage', 'latin1')]));
  const a = SessionSpool.open(garbage, 'sub', 0, 'never');
  assert.equal(a.recovery.entries, 0);
  assert.equal(a.recovery.droppedRecords, 1);
  assert.equal(existsSync(garbage), false, 'nothing left to deliver: the file goes');
  const foreign = join(dir, 'b.spool');
  writeFileSync(foreign, 'MQTTSLAB-STORE\u0000\u0001');
  assert.equal(SessionSpool.open(foreign, 'sub', 0, 'never').recovery.droppedRecords, 1);
  const other = join(dir, 'c.spool');
  written(other, 2);
  const c = SessionSpool.open(other, 'someone-else', 0, 'never');
  assert.equal(c.recovery.entries, 0);
  assert.equal(c.spool.count, 0);
});

test('entries below the head (moved into the queue before a crash) are skipped and not met again', (t) => {
  const path = join(tempDir(t), 'sub.spool');
  written(path, 10);
  const { spool, recovery } = SessionSpool.open(path, 'sub', 4, 'never');
  assert.equal(recovery.entries, 6);
  assert.equal(spool.count, 6);
  spool.append(delivery(10));
  assert.deepEqual(
    spool.take(100).map((e) => e.seq),
    range(4, 11),
  );
  spool.close();
  // All moved out: at the next open with the head past the end the file is deleted.
  assert.equal(SessionSpool.open(path, 'sub', 11, 'never').spool.count, 0);
  assert.equal(existsSync(path), false);
});

test('a spool mostly drained is rewritten without its consumed part; what is left reads the same', (t) => {
  const path = join(tempDir(t), 'sub.spool');
  const { spool } = SessionSpool.open(path, 'sub', 0, 'never');
  t.after(() => spool.close());
  for (const n of range(0, 40)) spool.append(delivery(n, 64 * 1024));
  spool.flush();
  const full = statSync(path).size;
  assert.equal(spool.take(30).length, 30);
  assert.ok(spool.reclaim() < 0);
  assert.ok(statSync(path).size < full / 3, `${statSync(path).size} < ${full / 3}`);
  assert.equal(spool.bytes, statSync(path).size);
  const rest = spool.take(100);
  assert.deepEqual(
    rest.map((e) => e.seq),
    range(30, 40),
  );
  assert.deepEqual(rest[9]!.delivery, delivery(39, 64 * 1024));
});

test('Spools: the limit is shared by all sessions; an orphan spool file is deleted at open; discard deletes', (t) => {
  const dir = tempDir(t);
  const first = Spools.open(dir, 'never', 4096, new Map()).spools;
  for (const n of range(0, 5)) first.append('a', delivery(n, 100));
  assert.ok(first.hasRoom());
  for (const n of range(0, 40)) first.append('b', delivery(n, 100));
  assert.equal(first.hasRoom(), false);
  assert.equal(first.messages, 45);
  first.flush();
  first.close();
  assert.equal(readdirSync(dir).length, 2);
  // Only 'a' is still a session: b's file is left over from a session that ended.
  const { spools, reports } = Spools.open(dir, 'never', 4096, new Map([['a', 0]]));
  assert.equal(readdirSync(dir).length, 1);
  assert.deepEqual(reports, [{ clientId: 'a', entries: 5, droppedRecords: 0, droppedBytes: 0 }]);
  assert.ok(spools.hasRoom());
  spools.discard('a');
  assert.equal(readdirSync(dir).length, 0);
  assert.equal(spools.bytes, 0);
});

test('BrokerStore: messages moved from the spool into the queue are journaled; a crash keeps each in exactly one place', (t) => {
  const path = join(tempDir(t), 'store.db');
  const { store } = BrokerStore.open(path, { fsync: 'never', spoolLimit: 1 << 20 });
  const session = new Session('sub', 3600);
  store.sessionSaved(session, 1883);
  for (const n of range(0, 10)) store.spool(session, delivery(n));
  store.flush();
  assert.equal(store.spooled(session), 10);
  const moved = store.unspool(session, 4);
  assert.deepEqual(
    moved,
    range(0, 4).map((n) => delivery(n)),
  );
  store.flush();
  // kill -9 here: no close, no snapshot. The next broker opens what is on disk.
  const reopened = BrokerStore.open(path, { fsync: 'never', spoolLimit: 1 << 20 });
  const restored = reopened.restored.sessions.find((s) => s.clientId === 'sub');
  assert.deepEqual(
    restored?.queue,
    range(0, 4).map((n) => delivery(n)),
  );
  assert.deepEqual(reopened.restored.spools, [
    { clientId: 'sub', entries: 6, droppedRecords: 0, droppedBytes: 0 },
  ]);
  const again = new Session('sub', 3600);
  again.persisted = true;
  assert.equal(reopened.store.spooled(again), 6);
  assert.deepEqual(
    reopened.store.unspool(again, 100),
    range(4, 10).map((n) => delivery(n)),
  );
  reopened.store.flush();
  // Drained and journaled: the spool file is gone; a snapshot keeps the head.
  assert.deepEqual(readdirSync(`${path}.spool`), []);
  reopened.store.close({ retained: [], sessions: [again] });
  const third = BrokerStore.open(path, { fsync: 'never', spoolLimit: 1 << 20 });
  assert.deepEqual(third.restored.spools, []);
  third.store.close({ retained: [], sessions: [] });
});

test('BrokerStore: a session that ends takes its spool with it', (t) => {
  const path = join(tempDir(t), 'store.db');
  const { store } = BrokerStore.open(path, { fsync: 'never', spoolLimit: 1 << 20 });
  const session = new Session('gone', 3600);
  store.sessionSaved(session, 1883);
  store.spool(session, delivery(1));
  store.flush();
  assert.equal(readdirSync(`${path}.spool`).length, 1);
  store.sessionEnded(session);
  assert.equal(store.spooled(session), 0);
  assert.deepEqual(readdirSync(`${path}.spool`), []);
  store.close({ retained: [], sessions: [] });
});
