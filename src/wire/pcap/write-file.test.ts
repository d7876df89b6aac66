import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { readCapture } from './read-capture.js';
import { writeCaptureFile } from './write-file.js';

const dir = (t: { after(fn: () => void): void }) => {
  const d = mkdtempSync(join(tmpdir(), 'mqtts-lab-pcap-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
};
const packets = [{ timestampUs: 1_000_001, data: Uint8Array.of(1, 2, 3) }];

test('the format follows the extension unless given; the file reads back; no temporary file is left', (t) => {
  const d = dir(t);
  assert.equal(writeCaptureFile(join(d, 'a.pcap'), packets), 'pcap');
  assert.equal(writeCaptureFile(join(d, 'b.PCAPNG'), packets), 'pcapng');
  assert.equal(
    writeCaptureFile(join(d, 'c.cap'), packets, { format: 'pcapng', ifName: 'broker0' }),
    'pcapng',
  );
  assert.deepEqual(readdirSync(d).sort(), ['a.pcap', 'b.PCAPNG', 'c.cap']);
  assert.equal(statSync(join(d, 'a.pcap')).mode & 0o777, 0o600, 'a capture may hold passwords in clear');
  assert.equal(readCapture(readFileSync(join(d, 'a.pcap'))).format, 'pcap');
  const c = readCapture(readFileSync(join(d, 'c.cap')));
  assert.deepEqual(
    [c.format, c.interfaces[0]!.name, c.packets[0]!.timestampUs],
    ['pcapng', 'broker0', 1_000_001],
  );
});

test('an existing file is kept unless overwrite; bad options are refused', (t) => {
  const d = dir(t);
  const p = join(d, 'x.pcap');
  writeFileSync(p, 'old');
  assert.throws(
    () => writeCaptureFile(p, packets),
    (e) => isLabError(e, 'ERR_FS_EXISTS'),
  );
  assert.equal(readFileSync(p, 'utf8'), 'old');
  writeCaptureFile(p, packets, { overwrite: true });
  assert.equal(readCapture(readFileSync(p)).packets.length, 1);
  assert.throws(
    () => writeCaptureFile(p, packets, { format: 'erf' as 'pcap' }),
    (e) => isLabError(e, 'ERR_OPTIONS_INVALID'),
  );
});
