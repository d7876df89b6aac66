import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isLabError } from '../../core/errors.js';
import { STEP_READ_BYTES } from '../../core/fs.js';
import { testCertificates } from '../tls/certs.case.js';
import { parseKeyLog } from '../tls/keylog.js';
import { type AnalyzeOptions, analyzeCapture, analyzeCaptureFile } from './analyze.js';
import { mixedConversations, pcap, pcapng } from './capture.case.js';

// analyzeCaptureFile scans a file's packets while it is read: whatever the size of the reads
// (a step of 7 bytes cuts every record header and frame somewhere), it must say exactly what
// analyzeCapture says of the whole file's bytes, errors included.

const STEPS = [7, 64, 1_000, STEP_READ_BYTES];

function outcome(run: () => unknown): unknown {
  try {
    return { result: run() };
  } catch (err) {
    return errorOf(err);
  }
}
function errorOf(err: unknown): unknown {
  const e = err as { code?: string; message?: string };
  return { error: `${e.code ?? 'no code'}: ${e.message ?? String(err)}` };
}

async function assertSameAsBytes(
  dir: string,
  name: string,
  bytes: Uint8Array,
  options: AnalyzeOptions = {},
  steps = STEPS,
): Promise<unknown> {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  const expected = outcome(() => analyzeCapture(new Uint8Array(readFileSync(file)), options));
  for (const step of steps) {
    const got = await analyzeCaptureFile(file, options, step).then(
      (result) => ({ result }),
      (err: unknown) => errorOf(err),
    );
    assert.deepEqual(got, expected, `${name}, reads of ${step} bytes`);
  }
  return expected;
}

const tmp = (t: { after(fn: () => void): void }) => {
  const d = mkdtempSync(join(tmpdir(), 'mqtts-lab-analyze-file-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
};

async function mixedCaptures() {
  const { tls12, step1, tls13 } = mixedConversations(await testCertificates());
  return { pcap: pcap(tls12, step1, tls13), pcapng: pcapng(tls12, step1, tls13) };
}

test('a file reads as its bytes do: pcap and pcapng, plaintext and TLS, with options and a key log', async (t) => {
  const dir = tmp(t);
  const mixed = await mixedCaptures();
  const a = (await assertSameAsBytes(dir, 'mixed.pcap', mixed.pcap)) as {
    result: { connections: unknown[] };
  };
  assert.equal(a.result.connections.length, 3);
  await assertSameAsBytes(dir, 'mixed.pcapng', mixed.pcapng);
  await assertSameAsBytes(dir, 'max.pcap', mixed.pcap, {
    maxMessages: 1,
    maxRecords: 2,
    maxStreamBytes: 300,
  });
  const golden = join(import.meta.dirname, '../../../test/golden/wire');
  const keyLog = parseKeyLog(readFileSync(join(golden, 'mosquitto-pub-tls13.keys'), 'utf8'), 'keys');
  const withKeys = (await assertSameAsBytes(
    dir,
    'golden.pcap',
    readFileSync(join(golden, 'mosquitto-pub-tls13.pcap')),
    { keyLog },
  )) as { result: { keyLog?: { decryptedConnections: number } } };
  assert.ok((withKeys.result.keyLog?.decryptedConnections ?? 0) > 0);
});

test('a damaged file fails as its bytes do, wherever the fault lies and however it is read', async (t) => {
  const dir = tmp(t);
  const good = (await mixedCaptures()).pcap;
  const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
  const firstRecordLength = view(good).getUint32(24 + 8, true);
  const second = 24 + 16 + firstRecordLength; // where the second record's header starts
  const edit = (f: (b: Uint8Array) => void) => {
    const b = new Uint8Array(good);
    f(b);
    return b;
  };
  const cases: Record<string, Uint8Array> = {
    empty: new Uint8Array(0),
    'three bytes': good.subarray(0, 3),
    'half a header': good.subarray(0, 20),
    'header only': good.subarray(0, 24),
    'cut in a record header': good.subarray(0, second + 5),
    'cut in a frame': good.subarray(0, second + 40),
    'cut near the end': good.subarray(0, good.length - 1),
    'bad magic': edit((b) => b.set([1, 2, 3, 4], 0)),
    'pcap 3.0': edit((b) => view(b).setUint16(4, 3, true)),
    // pcap §5: a captured length above the snap length, found before the file is all read.
    'record over the snap length': edit((b) =>
      view(b).setUint32(second + 8, view(b).getUint32(16, true) + 1, true),
    ),
    'record past the end (no snap length)': edit((b) => {
      view(b).setUint32(16, 0, true);
      view(b).setUint32(second + 8, 0x7fffffff, true);
    }),
  };
  const errors: string[] = [];
  for (const [name, bytes] of Object.entries(cases)) {
    const o = (await assertSameAsBytes(dir, name.replaceAll(' ', '-'), bytes, {}, [
      7,
      1_000,
      STEP_READ_BYTES,
    ])) as {
      error?: string;
    };
    if (o.error) errors.push(o.error.split(':')[0]!);
  }
  // Every case but the capture cut near its end (a note, the rest is read) is refused by the reader.
  assert.equal(errors.length, Object.keys(cases).length - 1);
  assert.ok(
    errors.every((c) => c === 'ERR_PCAP_MALFORMED' || c === 'ERR_PCAP_UNSUPPORTED'),
    errors.join(),
  );
});

test('a missing file, a directory and bad options are coded errors', async (t) => {
  const dir = tmp(t);
  await assert.rejects(analyzeCaptureFile(join(dir, 'none.pcap')), (e) => isLabError(e, 'ERR_FS_NOT_FOUND'));
  await assert.rejects(analyzeCaptureFile(dir), (e) => isLabError(e, 'ERR_FS_IO'));
  await assert.rejects(analyzeCaptureFile(join(dir, 'none.pcap'), { maxMessages: -1 }), (e) =>
    isLabError(e, 'ERR_OPTIONS_INVALID'),
  );
});
