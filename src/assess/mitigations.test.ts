import assert from 'node:assert/strict';
import { test } from 'node:test';
import { finding, fullRun, labRun, stepRun } from './fixtures.case.js';
import { catalogMitigation, residualRisks } from './mitigations.js';

test('one risk per succeeded case; still open in the last step first; blocked-only cases are no risk', () => {
  const risks = residualRisks(fullRun());
  const names = risks.map((r) => r.case);
  assert.deepEqual(names.slice(0, 1), ['sniff/identity']);
  assert.equal(risks[0]!.inLastStep, true);
  assert.deepEqual(risks[0]!.steps, [2, 3, 4]);
  assert.deepEqual(risks[0]!.findingIds, ['sniff/identity@4', 'sniff/identity@3', 'sniff/identity@2']);
  assert.ok(risks.slice(1).every((r) => !r.inLastStep));
  for (const gone of ['se/wrong', 'se/unplugged']) assert.ok(!names.includes(gone));
  assert.ok(names.includes('cert/no-certificate'), 'succeeded in Step 1');
  assert.ok(names.includes('i2c/read-slot8'));
});

test('the finding’s own mitigation wins over the catalog', () => {
  const risks = residualRisks(fullRun());
  const flash = risks.find((r) => r.case === 'flash-dump/key')!;
  assert.equal(flash.mitigationSource, 'finding');
  assert.equal(flash.mitigation.en, 'Own mitigation of the flash finding.');
  const bus = risks.find((r) => r.case === 'i2c/read-slot8')!;
  assert.equal(bus.mitigationSource, 'catalog');
  assert.match(bus.mitigation.en, /slot 0/);
  assert.match(bus.mitigation.fr, /slot 0/);
});

test('the catalog covers every attack family the lab runs, by exact case before prefix', () => {
  const expect: Array<[string, RegExp]> = [
    ['i2c/sniff-boot', /Sign/],
    ['ram/key-after-boot', /zeroize/],
    ['acl/publish-foreign', /ACL/],
    ['sniff/identity', /TLS 1\.3/],
    ['sniff/traffic-analysis', /[Pp]ad/],
    ['sniff/payload', /mutual TLS/],
    ['flash-dump/key', /flash encryption/],
    ['repudiation/forged-reading', /[Ss]ign each reading/],
    ['cert/no-certificate', /require_certificate/],
    ['tamper/record', /AES-GCM/],
    ['replay/session', /sequence numbers/],
    ['tls/downgrade', /RFC 8996/],
    ['dos/idle', /max_connections/],
    ['acl/publish-outside-grant', /ACL/],
  ];
  for (const [name, re] of expect) assert.match(catalogMitigation(name)?.en ?? '', re, name);
  assert.equal(catalogMitigation('i2c'), undefined, 'a prefix needs its slash');
  assert.equal(catalogMitigation('unknown/case'), undefined);
});

test('a case with no mitigation anywhere says so instead of inventing one', () => {
  const [r] = residualRisks(labRun([finding('odd/thing@2', 'succeeded', ['D'])], [stepRun(2)]));
  assert.equal(r!.mitigationSource, 'none');
  assert.match(r!.mitigation.en, /No mitigation is recorded/);
  assert.deepEqual(r!.stride, ['D']);
});
