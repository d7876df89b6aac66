import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HARDWARE_ATTACKS } from '../../src/attacks/hardware.js';
import type { Finding, Outcome, StepNumber } from '../../src/core/findings.js';
import { SeededRng } from '../../src/core/rng.js';
import { decodeSlotKey, p256PublicKeyInfo } from '../../src/device/index.js';
import { createLabPki, type LabPki, type RunningStep, startStep } from '../../src/lab/index.js';
import { fingerprint } from '../../src/pki/index.js';
import { tempDir } from '../helpers/openssl.js';

/** DESIGN.md §4, the rows these attacks measure: what each step must show. */
const EXPECTED: Readonly<Record<string, Readonly<Record<StepNumber, Outcome>>>> = {
  'i2c/sniff-boot': { 1: 'not-applicable', 2: 'not-applicable', 3: 'succeeded', 4: 'blocked' },
  'ram/key-after-boot': { 1: 'not-applicable', 2: 'succeeded', 3: 'succeeded', 4: 'blocked' },
  'flash-dump/key': { 1: 'not-applicable', 2: 'succeeded', 3: 'blocked', 4: 'blocked' },
  'i2c/read-slot8': { 1: 'not-applicable', 2: 'not-applicable', 3: 'succeeded', 4: 'blocked' },
  'i2c/overwrite-slot8': { 1: 'not-applicable', 2: 'not-applicable', 3: 'succeeded', 4: 'blocked' },
  'se/unplugged': { 1: 'not-applicable', 2: 'not-applicable', 3: 'blocked', 4: 'blocked' },
  'se/wrong': { 1: 'not-applicable', 2: 'not-applicable', 3: 'blocked', 4: 'blocked' },
};

const spkiFingerprint = (keyPem: string): string =>
  fingerprint(
    new Uint8Array(createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' })),
  );

function evidence(f: Finding, kind: string): string {
  return f.evidence
    .filter((e) => e.kind === kind)
    .map((e) => e.data)
    .join('\n');
}

const cases: ['embedded' | 'mosquitto', StepNumber][] = [
  ['embedded', 1],
  ['embedded', 2],
  ['embedded', 3],
  ['embedded', 4],
  ['mosquitto', 3],
  ['mosquitto', 4],
];

// Root-level: removed when the whole file is done, not after the first suite.
const dir = tempDir({ after });
let pki: LabPki;
before(async () => {
  pki = await createLabPki({ dir: join(dir, 'pki'), rng: new SeededRng('attacks-hardware') });
});

for (const [broker, step] of cases) {
  describe(`hardware attacks, Step ${step}, ${broker} broker`, () => {
    let running: RunningStep;
    const findings = new Map<string, Finding>();
    before(async () => {
      running = await startStep({
        step,
        broker,
        dir: join(dir, `${broker}-${step}`),
        seed: 'attacks-hardware',
        pki,
      });
    });
    after(async () => {
      await running?.stop();
    });

    for (const attack of HARDWARE_ATTACKS) {
      test(`${attack.name}: outcomes as DESIGN.md §4`, async (t) => {
        const t0 = Date.now();
        const out = await attack.run(running.target);
        t.diagnostic(`${attack.name}@${step} (${broker}): ${Date.now() - t0} ms`);
        for (const f of out) {
          findings.set(f.id.replace(/@\d$/, ''), f);
          const expected = EXPECTED[f.id.replace(/@\d$/, '')]?.[step];
          assert.equal(f.step, step);
          assert.equal(f.outcome, expected, `${f.id}: ${f.result.en}`);
          assert.ok(f.title.fr && f.result.fr && f.attempted.fr, `${f.id} speaks French too`);
          if (f.outcome === 'succeeded') assert.ok(f.mitigation, `${f.id} says how to fix it`);
        }
      });
    }

    test('the evidence comes from this run', () => {
      const target = running.target;
      const pub = target.publisher;
      const real = step === 2 || step === 3 ? spkiFingerprint(pki.publisher.keyPem) : undefined;
      if (step === 1) {
        assert.match(evidence(findings.get('flash-dump/key')!, 'flash'), /private keys: 0\ncertificates: 0/);
        return;
      }
      const flash = findings.get('flash-dump/key')!;
      if (step === 2) {
        // The offset reported is where the PEM key really is in the image.
        const at = Buffer.from(pub.board.flash).indexOf('-----BEGIN PRIVATE KEY-----');
        assert.match(evidence(flash, 'flash'), new RegExp(`0x${at.toString(16).padStart(6, '0')} PEM pkcs8`));
        assert.match(evidence(flash, 'key'), new RegExp(real!));
        assert.match(evidence(flash, 'connection'), /CONNACK return code 0/);
        assert.match(
          evidence(flash, 'broker-log'),
          /New client connected from \S+ as m5go-01-clone .*u'm5go-01'/,
        );
        assert.match(evidence(findings.get('i2c/read-slot8')!, 'bus'), /R 0x35 {2}NACK/);
      } else {
        assert.match(evidence(flash, 'flash'), /private keys: 0\ncertificates: 2/);
        assert.doesNotMatch(evidence(flash, 'key'), /./);
      }
      if (step < 3) return;
      const read = findings.get('i2c/read-slot8')!;
      // ATECC608B: SlotConfig.IsSecret on slot 0 — the chip says no, with its status byte.
      assert.match(evidence(read, 'bus'), /slot {2}0 {2}36 B {2}refused: status 0x0F \(execution error\)/);
      const sniff = findings.get('i2c/sniff-boot')!;
      const files = sniff.evidence.flatMap((e) => (e.file ? [e.file] : []));
      assert.ok(
        files.length > 0 && files.every((f) => existsSync(join(dir, `${broker}-${step}`, f))),
        files.join(),
      );
      const vcd = files.find((f) => f.endsWith('.vcd'))!;
      assert.match(readFileSync(join(dir, `${broker}-${step}`, vcd), 'utf8'), /\$timescale/);
      const overwrite = findings.get('i2c/overwrite-slot8')!;
      assert.match(evidence(overwrite, 'bus'), /Write slot 8 .*: status 0x00 \(success\)/);
      assert.match(evidence(overwrite, 'bus'), /Write slot 0 block 0 .*: refused, status 0x0F/);
      assert.match(evidence(overwrite, 'bus'), /GenKey slot 0 .*: refused, status 0x0F/);
      const unplugged = findings.get('se/unplugged')!;
      assert.match(
        evidence(unplugged, 'device-console'),
        /Error: secure element not found at 0x35\. Halting\./,
      );
      assert.match(evidence(unplugged, 'broker-log'), /no line names m5go-01-unplugged/);
      const wrong = findings.get('se/wrong')!;
      assert.match(evidence(wrong, 'device-console'), /TLS handshake failed: the server sent decrypt_error/);
      assert.match(evidence(wrong, 'broker-log'), /bad signature/);
      const ram = findings.get('ram/key-after-boot')!;
      if (step === 3) {
        for (const f of [read, sniff]) assert.match(evidence(f, 'key'), new RegExp(real!), f.id);
        assert.match(evidence(read, 'connection'), /CONNACK return code 0/);
        assert.match(
          evidence(sniff, 'bus'),
          /blocks 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 at transactions/,
        );
        assert.match(evidence(overwrite, 'device-console'), /Key read from slot 8: 138 bytes DER\./);
        assert.match(evidence(overwrite, 'device-console'), /decrypt_error/);
        assert.match(evidence(overwrite, 'key'), /read back by the booted device from slot 8/);
        assert.match(evidence(ram, 'bus'), /Sign answers \(R‖S, 64 bytes\): 0/);
        // Destructive work was done on a copy: the running part still holds the real key.
        const slot8 = decodeSlotKey(pub.board.secureElement!.readSlot(8)!);
        assert.equal(spkiFingerprint(slot8.pem), real);
      } else {
        const slot0 = fingerprint(p256PublicKeyInfo(pub.board.secureElement!.publicKey(0)!));
        assert.match(evidence(flash, 'flash'), new RegExp(`end-entity .* SPKI SHA-256 ${slot0}`));
        for (const f of [read, sniff])
          assert.doesNotMatch(JSON.stringify(f.evidence), new RegExp(slot0.slice(0, 40) + '.*matches'));
        assert.match(evidence(sniff, 'bus'), /SIGN ×[1-9]/);
        assert.match(evidence(overwrite, 'device-console'), /MQTT connected as m5go-01-tampered-se\./);
        assert.match(evidence(ram, 'measure'), /buffers allocated: none/);
        assert.match(evidence(ram, 'bus'), /Sign answers \(R‖S, 64 bytes\): [1-9]/);
      }
      assert.equal(pub.status, 'running');
      assert.ok((pub.link?.stats.connects ?? 0) >= 1);
    });
  });
}
