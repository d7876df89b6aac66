// The ESP32 flash image against an independent reader of the ESP-IDF formats
// (test/oracles/esp32_image_check.py, no shared code), and the flash-dump attack of Step 2:
// a plain text search of the .bin recovers the client key.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FixedClock } from '../../src/core/clock.js';
import { isLabError } from '../../src/core/errors.js';
import { SeededRng } from '../../src/core/rng.js';
import {
  buildFlashImage,
  type FlashImageView,
  type ImageSegment,
  listConstants,
  parseFlashImage,
} from '../../src/hardware/esp32/index.js';
import { createRootCa, issueCertificate } from '../../src/pki/ca.js';
import { certificateToPem } from '../../src/pki/certificate.js';
import { createCsr, parseCsr } from '../../src/pki/csr.js';
import { generatePrivateKey, privateKeyToPem } from '../../src/pki/keys.js';
import { buildName } from '../../src/pki/names.js';
import { PROFILES } from '../../src/pki/profiles.js';
import { keySigner } from '../../src/pki/signer.js';
import { tempDir } from '../helpers/openssl.js';

const PYTHON = '/usr/bin/python3';
const CHECKER = join(import.meta.dirname, '..', 'oracles', 'esp32_image_check.py');
const skip = existsSync(PYTHON) ? false : `${PYTHON} is not installed`;

interface OracleImage {
  offset: number;
  magic: number;
  segment_count: number;
  spi_mode: number;
  spi_speed: number;
  spi_size: number;
  entry: number;
  wp_pin: number;
  chip_id: number;
  hash_appended: number;
  segments: { load_addr: number; length: number; data_offset: number }[];
  checksum_stored: number;
  checksum_computed: number;
  sha256_stored: string;
  sha256_computed: string;
  length: number;
  partition?: string;
  app_desc?: Record<string, string | number> | null;
}
interface OracleView {
  flash_size: number;
  errors: string[];
  bootloader: OracleImage;
  partition_table: {
    entries: { label: string; type: number; subtype: number; offset: number; size: number; flags: number }[];
    md5_stored: string;
    md5_computed: string;
  };
  otadata?: { boot_partition: string; entries: { seq: number; valid: boolean }[] };
  app: OracleImage;
  pem_blocks: { offset: number; label: string }[];
}

function runOracle(bin: string): { status: number; view: OracleView } {
  const r = spawnSync(PYTHON, [CHECKER, bin], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  assert.ok(r.status === 0 || r.status === 1, `checker crashed: ${r.stderr}`);
  return { status: r.status, view: JSON.parse(r.stdout) as OracleView };
}

/** A CA, a device certificate and its P-256 key, as the Step 2 firmware embeds them. */
async function identity() {
  const clock = new FixedClock('2026-03-01T00:00:00Z');
  const ca = await createRootCa({ subject: { CN: 'Ciel Lab CA' }, clock, rng: new SeededRng('ca') });
  const key = await generatePrivateKey('p256');
  const csr = parseCsr(await createCsr({ subject: buildName({ O: 'Ciel', CN: 'm5go-01' }) }, keySigner(key)));
  const issued = await issueCertificate({
    ca,
    csr,
    profile: PROFILES.device,
    clock,
    rng: new SeededRng('dev'),
  });
  return {
    caPem: certificateToPem(ca.certificate.der),
    certPem: certificateToPem(issued.certificate.der),
    keyPem: privateKeyToPem(key),
  };
}

function sameImage(oracle: OracleImage, ours: FlashImageView['app'] | FlashImageView['bootloader']): void {
  assert.equal(oracle.offset, ours.offset);
  assert.equal(oracle.magic, 0xe9);
  assert.equal(oracle.segment_count, ours.header.segmentCount);
  assert.equal(oracle.entry, ours.header.entryAddress);
  assert.equal(oracle.wp_pin, ours.header.wpPin);
  assert.equal(oracle.chip_id, ours.header.chipId);
  assert.equal(oracle.spi_size, [1, 2, 4, 8, 16].indexOf(ours.header.flashSizeMib!));
  assert.equal(oracle.hash_appended === 1, ours.header.hashAppended);
  assert.deepEqual(
    oracle.segments,
    ours.segments.map((s: ImageSegment) => ({
      load_addr: s.loadAddress,
      length: s.length,
      data_offset: s.dataOffset,
    })),
  );
  assert.equal(oracle.checksum_stored, ours.checksum.stored);
  assert.equal(oracle.checksum_computed, ours.checksum.computed);
  assert.equal(oracle.sha256_stored, ours.sha256?.stored);
  assert.equal(oracle.sha256_computed, ours.sha256?.computed);
  assert.equal(oracle.length, ours.length);
}

test('the Python checker reads our image the way parseFlashImage does', { skip }, async (t) => {
  const id = await identity();
  const constants = {
    ca_cert: id.caPem,
    client_cert: id.certPem,
    client_key: id.keyPem,
    wifi_ssid: 'CIEL-LAB',
    wifi_password: 'lab-password',
    mqtt_host: 'broker.ciel.lab',
    mqtt_topic: 'm5go/env',
    device_id: 'm5go-01',
  };
  const flash = buildFlashImage({ constants });
  const bin = join(tempDir(t), 'm5go-flash.bin');
  writeFileSync(bin, flash);

  const { status, view: oracle } = runOracle(bin);
  assert.deepEqual(oracle.errors, []);
  assert.equal(status, 0);
  const ours = parseFlashImage(readFileSync(bin));
  assert.equal(oracle.flash_size, ours.flashSize);
  assert.deepEqual(
    oracle.partition_table.entries,
    ours.partitionTable.partitions.map((p) => ({
      label: p.label,
      type: p.type,
      subtype: p.subtype,
      offset: p.offset,
      size: p.size,
      flags: p.flags,
    })),
  );
  assert.equal(oracle.partition_table.md5_stored, ours.partitionTable.md5?.stored);
  assert.equal(oracle.partition_table.md5_computed, ours.partitionTable.md5?.computed);
  assert.equal(oracle.otadata?.boot_partition, ours.otaData?.bootPartition);
  assert.deepEqual(
    oracle.otadata?.entries.map((e) => [e.seq, e.valid]),
    ours.otaData?.entries.map((e) => [e.seq, e.valid]),
  );
  sameImage(oracle.bootloader, ours.bootloader);
  sameImage(oracle.app, ours.app);
  assert.equal(oracle.app.partition, ours.app.partition.label);
  assert.deepEqual(oracle.app.app_desc, {
    secure_version: ours.app.description?.secureVersion,
    version: ours.app.description?.version,
    project_name: ours.app.description?.projectName,
    time: ours.app.description?.time,
    date: ours.app.description?.date,
    idf_ver: ours.app.description?.idfVersion,
    app_elf_sha256: ours.app.description?.appElfSha256,
  });
  assert.deepEqual(listConstants(ours), constants);

  // The checker's own PEM scan lands on the constants parseFlashImage locates.
  const located = new Map(ours.app.constants.map((c) => [c.flashOffset, c.name]));
  assert.deepEqual(
    oracle.pem_blocks.map((b) => [b.label, located.get(b.offset)]),
    [
      ['CERTIFICATE', 'ca_cert'],
      ['CERTIFICATE', 'client_cert'],
      ['PRIVATE KEY', 'client_key'],
    ],
  );
});

test('flash-dump attack: a text search for the PEM header recovers the device key', { skip }, async (t) => {
  const id = await identity();
  const bin = join(tempDir(t), 'dump.bin');
  writeFileSync(
    bin,
    buildFlashImage({ constants: { ca_cert: id.caPem, client_cert: id.certPem, client_key: id.keyPem } }),
  );

  // What `grep -c "BEGIN PRIVATE KEY" dump.bin` and a copy of the block do, on the raw bytes.
  const dump = readFileSync(bin);
  const header = Buffer.from('-----BEGIN PRIVATE KEY-----');
  const hits: number[] = [];
  for (let at = dump.indexOf(header); at >= 0; at = dump.indexOf(header, at + 1)) hits.push(at);
  assert.equal(hits.length, 1);
  const footer = '-----END PRIVATE KEY-----';
  const end = dump.indexOf(footer, hits[0]) + footer.length;
  const stolen = dump.subarray(hits[0], end).toString('latin1');
  assert.equal(`${stolen}\n`, id.keyPem);

  // The stolen key is the device's identity: it matches the certificate the broker trusts.
  const cert = new X509Certificate(id.certPem);
  const pub = createPublicKey(createPrivateKey(stolen)).export({ type: 'spki', format: 'der' });
  assert.deepEqual(pub, cert.publicKey.export({ type: 'spki', format: 'der' }));
  assert.equal(cert.checkPrivateKey(createPrivateKey(stolen)), true);
});

test('the checker flags what parseFlashImage rejects (tampered key, damaged table)', { skip }, async (t) => {
  const id = await identity();
  const flash = buildFlashImage({ constants: { client_key: id.keyPem } });
  const dir = tempDir(t);
  const key = parseFlashImage(flash).app.constants[0]!;

  const tampered = flash.slice();
  tampered[key.flashOffset + 60] = tampered[key.flashOffset + 60]! ^ 0x01;
  writeFileSync(join(dir, 'tampered.bin'), tampered);
  const a = runOracle(join(dir, 'tampered.bin'));
  assert.equal(a.status, 1);
  assert.deepEqual(a.view.errors, ['app app0: checksum mismatch', 'app app0: SHA-256 mismatch']);
  assert.throws(
    () => parseFlashImage(tampered),
    (e) => isLabError(e, 'ERR_ESP32_IMAGE_MALFORMED'),
  );
  const loose = parseFlashImage(tampered, { strict: false });
  assert.deepEqual([loose.app.checksum.ok, loose.app.sha256?.ok], [false, false]);

  const table = flash.slice();
  table[0x8000 + 2 * 32 + 12] = table[0x8000 + 2 * 32 + 12]! ^ 0x01; // a letter of "app0"
  writeFileSync(join(dir, 'table.bin'), table);
  const b = runOracle(join(dir, 'table.bin'));
  assert.equal(b.status, 1);
  assert.ok(b.view.errors.includes('partition table: MD5 mismatch'));
  assert.equal(parseFlashImage(table, { strict: false }).partitionTable.md5?.ok, false);
});
