import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { Journal, STORE_MAGIC } from './journal.js';
import type { StoreRecord } from './records.js';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'journal-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const message = (id: number): StoreRecord => ({
  kind: 'message',
  id,
  topic: `m5go/env/${id}`,
  payload: Buffer.from(`{"t":${id}}`),
  qos: 1,
  retain: false,
  expiresAt: id % 2 === 0 ? 1_700_000_000_000 + id : undefined,
  origin: 'm5go',
  properties:
    id % 3 === 0 ? { contentType: 'application/json', correlationData: Buffer.from([1, 2, id]) } : undefined,
});

function writeRecords(path: string, records: StoreRecord[]): void {
  const { journal } = Journal.open(path, 'never');
  for (const r of records) journal.append(r);
  journal.flushSync();
  journal.close();
}

test('records written are read back in order, file mode 0600, lock released on close', (t) => {
  const path = join(tempDir(t), 'store.db');
  const records: StoreRecord[] = [
    message(1),
    {
      kind: 'session',
      clientId: 'sub',
      expiryInterval: 3600,
      protocolVersion: 5,
      username: 'u',
      listenerPort: 8883,
    },
    { kind: 'queue', clientId: 'sub', messageId: 1, qos: 1, retain: false, subscriptionIds: [7, 9] },
    { kind: 'dequeue-inflight', clientId: 'sub', packetId: 1 },
    message(6),
    { kind: 'retain-set', messageId: 6 },
  ];
  writeRecords(path, records);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  const { journal, recovery } = Journal.open(path, 'never');
  t.after(() => journal.close());
  assert.deepEqual(recovery.records, records);
  assert.equal(recovery.droppedRecords, 0);
});

test('a torn last record is dropped and reported; everything before it is kept', (t) => {
  const path = join(tempDir(t), 'store.db');
  writeRecords(path, [message(1), message(2), message(3)]);
  const whole = readFileSync(path);
  writeFileSync(path, whole.subarray(0, whole.length - 5));
  const { journal, recovery } = Journal.open(path, 'never');
  t.after(() => journal.close());
  assert.deepEqual(
    recovery.records.map((r) => (r.kind === 'message' ? r.id : -1)),
    [1, 2],
  );
  assert.equal(recovery.droppedRecords, 1);
  assert.ok(recovery.droppedBytes > 0);
});

test('garbage in the middle costs only the records it covers', (t) => {
  const path = join(tempDir(t), 'store.db');
  writeRecords(path, [message(1), message(2), message(3), message(4)]);
  const bytes = readFileSync(path);
  // Overwrite the middle of record 2 with noise.
  const at = bytes.indexOf(Buffer.from('m5go/env/2')) + 2;
  for (let i = 0; i < 6; i++) bytes[at + i] = 0x5a;
  writeFileSync(path, bytes);
  const { journal, recovery } = Journal.open(path, 'never');
  t.after(() => journal.close());
  assert.deepEqual(
    recovery.records.map((r) => (r.kind === 'message' ? r.id : -1)),
    [1, 3, 4],
  );
  assert.equal(recovery.droppedRecords, 1);
});

test('pure garbage after the magic: nothing recovered, all reported, no crash', (t) => {
  const path = join(tempDir(t), 'store.db');
  writeFileSync(path, Buffer.concat([STORE_MAGIC, Buffer.from('\xa5\x01garbage garbage garbage', 'latin1')]));
  const { journal, recovery } = Journal.open(path, 'never');
  t.after(() => journal.close());
  assert.equal(recovery.records.length, 0);
  assert.equal(recovery.droppedRecords, 1);
});

test('a file that is not ours (a Mosquitto database) is refused and left untouched', (t) => {
  const path = join(tempDir(t), 'mosquitto.db');
  const foreign = Buffer.concat([Buffer.from([0x00, 0xb5, 0x00]), Buffer.from('mosquitto db')]);
  writeFileSync(path, foreign);
  assert.throws(
    () => Journal.open(path, 'never'),
    (e) => isLabError(e, 'ERR_BROKER_STORE_IO'),
  );
  assert.deepEqual(readFileSync(path), foreign);
  // The refused open released its lock: a corrected configuration can start.
  rmSync(path);
  Journal.open(path, 'never').journal.close();
});

test('a second broker on the same store is refused while the first holds it; a stale lock is taken over', (t) => {
  const path = join(tempDir(t), 'store.db');
  const { journal } = Journal.open(path, 'never');
  // Held by a live process other than us: the parent of this test process.
  writeFileSync(`${path}.lock`, `${process.ppid}\n`);
  assert.throws(
    () => Journal.open(path, 'never'),
    (e) => isLabError(e, 'ERR_BROKER_STORE_IO'),
  );
  // A pid that cannot exist: stale (its broker was killed with SIGKILL).
  writeFileSync(`${path}.lock`, '2147483646\n');
  const again = Journal.open(path, 'never');
  again.journal.close();
  journal.close();
});

test('rewrite replaces the journal atomically with a snapshot; appends continue after it', (t) => {
  const path = join(tempDir(t), 'store.db');
  const { journal } = Journal.open(path, 'always');
  for (let i = 1; i <= 50; i++) journal.append(message(i));
  journal.flushSync();
  journal.rewrite([message(50)]);
  journal.append(message(51));
  journal.flushSync();
  journal.close();
  appendFileSync(path, Buffer.alloc(0));
  const { journal: j2, recovery } = Journal.open(path, 'never');
  t.after(() => j2.close());
  assert.deepEqual(
    recovery.records.map((r) => (r.kind === 'message' ? r.id : -1)),
    [50, 51],
  );
});
