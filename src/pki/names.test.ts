import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AsnConvert } from '@peculiar/asn1-schema';
import { AttributeTypeAndValue, AttributeValue, Name, RelativeDistinguishedName } from '@peculiar/asn1-x509';
import { isLabError } from '../core/errors.js';
import { buildName, nameField, namesEqual, nameToSlashString, nameToString, parseSubject } from './names.js';

test('the lab sheet subject round-trips through -subj syntax', () => {
  const fields = parseSubject('/C=fr/O=Ciel Dupont/OU=iot Dupont/CN=broker-pc');
  const name = buildName(fields);
  assert.equal(nameToString(name), 'C=FR, O=Ciel Dupont, OU=iot Dupont, CN=broker-pc');
  assert.equal(nameToSlashString(name), '/C=FR/O=Ciel Dupont/OU=iot Dupont/CN=broker-pc');
  assert.equal(nameField(name, 'OU'), 'iot Dupont');
});

test('escaped slashes stay in the value; unknown and empty fields are coded errors', () => {
  assert.equal(parseSubject('/O=a\\/b/CN=x').O, 'a/b');
  assert.throws(
    () => parseSubject('/XX=1'),
    (e) => isLabError(e, 'ERR_PKI_SUBJECT_INVALID'),
  );
  assert.throws(
    () => parseSubject('CN=x'),
    (e) => isLabError(e, 'ERR_PKI_SUBJECT_INVALID'),
  );
  assert.throws(
    () => buildName({}),
    (e) => isLabError(e, 'ERR_PKI_SUBJECT_INVALID'),
  );
  assert.throws(
    () => buildName({ C: 'France' }),
    (e) => isLabError(e, 'ERR_PKI_SUBJECT_INVALID'),
  );
  assert.throws(
    () => buildName({ CN: 'x'.repeat(65) }),
    (e) => isLabError(e, 'ERR_PKI_SUBJECT_INVALID'),
  );
});

test('RFC 5280 §7.1: names match across string types, case and spacing', () => {
  const printable = new Name([
    new RelativeDistinguishedName([
      new AttributeTypeAndValue({
        type: '2.5.4.3',
        value: new AttributeValue({ printableString: 'Lab  CA' }),
      }),
    ]),
  ]);
  assert.ok(namesEqual(printable, buildName({ CN: 'lab ca' })));
  assert.ok(!namesEqual(printable, buildName({ CN: 'lab cb' })));
  assert.ok(!namesEqual(buildName({ O: 'lab ca' }), buildName({ CN: 'lab ca' })));
});

test('a name the parser reads but cannot write back is compared by attribute, never thrown on', () => {
  // CN = a UTCTime whose text is "zz": read as an unknown value, refused when re-encoded.
  const der = Uint8Array.of(
    0x30,
    0x0d,
    0x31,
    0x0b,
    0x30,
    0x09,
    0x06,
    0x03,
    0x55,
    0x04,
    0x03,
    0x17,
    0x02,
    0x7a,
    0x7a,
  );
  const odd = () => AsnConvert.parse(der, Name);
  assert.throws(() => AsnConvert.serialize(odd()), /Wrong input string/);
  assert.ok(namesEqual(odd(), odd()));
  assert.ok(!namesEqual(odd(), buildName({ CN: 'zz' })));
});
