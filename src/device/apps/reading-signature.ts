/**
 * Signed readings: the M5Go's secure element signs each reading, so a subscriber can tell the
 * device's readings from anyone else's — the broker and every client allowed to publish on the
 * topic included. TLS cannot: it authenticates the publisher's connection to the broker, and
 * the broker's connection to the subscriber, never the reading itself.
 *
 * The payload is the reading's JSON plus one key, `sig`, the base64url (RFC 4648 §5, no
 * padding) of the 64-byte raw R‖S the chip's Sign command returns:
 *
 *   {"deviceId":"m5go-01","seq":42,"timestamp":"2025-03-14T09:00:00.000Z",
 *    "temperature":21.37,"humidity":45.2,"pressure":1013.42,"sig":"<86 characters>"}
 *
 * What is signed is not the JSON text (its key order and number spelling are not fixed by
 * JSON) but `readingSignedBytes`: the UTF-8 of the JSON array
 *
 *   ["mqtts-lab/reading/v1","m5go/env","m5go-01",42,"2025-03-14T09:00:00.000Z",21.37,45.2,1013.42]
 *
 * — a context tag, the topic, then every field of the reading in a fixed order, numbers in
 * ECMAScript's shortest round-trip form. JSON string escaping keeps the fields apart, so no two
 * readings share an encoding. Each element is there for a reason:
 * - the tag: the same slot-0 key signs the TLS CertificateVerify; what TLS signs starts with a
 *   ClientHello (type 0x01) in TLS 1.2 and with 64 spaces in TLS 1.3 (RFC 8446 §4.4.3), these
 *   bytes with `[`, so neither signature passes for the other; a later format gets a new tag;
 * - the topic: a reading signed for `m5go/env` cannot be republished on another topic as valid;
 * - deviceId: whose reading it is — the verifier also requires it to name the certificate;
 * - seq: without it a signed reading could be re-sent under another number to fill a gap;
 * - timestamp: when it was measured; a reading's time cannot be rewritten to make it look new;
 * - temperature, humidity, pressure: the measurement itself.
 * A signature proves origin and integrity, not freshness: the same signed reading sent twice
 * verifies twice; the subscriber's sequence tracker reports it as a duplicate.
 */
import { LabError } from '../../core/errors.js';
import { readChildren, readTlv } from '../../pki/der.js';
import type { Signer } from '../../pki/index.js';
import type { Reading } from './reading.js';

/** First element of the signed array: the format, and what the signature is for. */
export const READING_SIGNATURE_CONTEXT = 'mqtts-lab/reading/v1';
/** P-256: R and S are 32-byte big-endian integers (ATECC608B Sign response, reference §3.7). */
export const RAW_SIGNATURE_BYTES = 64;
/** base64url of 64 bytes without padding. */
export const SIG_PATTERN = /^[A-Za-z0-9_-]{86}$/;

/** The exact bytes a reading's signature covers (see the module comment). */
export function readingSignedBytes(reading: Reading, topic: string): Uint8Array {
  const fields = [
    READING_SIGNATURE_CONTEXT,
    topic,
    reading.deviceId,
    reading.seq,
    reading.timestamp,
    reading.temperature,
    reading.humidity,
    reading.pressure,
  ];
  return new TextEncoder().encode(JSON.stringify(fields));
}

/**
 * The reading with its `sig`. `signer` is the one the TLS client uses: for the secure element
 * it hashes on the host and has the chip sign the digest with slot 0 (secureElementSigner),
 * so the key never exists in this process. Any P-256 / ecdsa-with-SHA256 signer works.
 */
export async function signReading(reading: Reading, topic: string, signer: Signer): Promise<Reading> {
  if (signer.signatureAlgorithm !== 'ecdsa-with-SHA256') {
    throw new LabError(
      'ERR_OPTIONS_INVALID',
      `signed readings use ECDSA P-256 with SHA-256, not ${signer.signatureAlgorithm}`,
      { details: { option: 'signer' } },
    );
  }
  // ATECC608B: Sign in external mode (0x80) signs the 32-byte digest in TempKey and never hashes
  // a message itself (reference §3.7): the signer hashes with SHA-256 on the host and loads the
  // digest with a pass-through Nonce (mode 0x03), then Sign with slot 0 returns R‖S.
  const der = await signer.sign(readingSignedBytes(reading, topic));
  return {
    deviceId: reading.deviceId,
    seq: reading.seq,
    timestamp: reading.timestamp,
    temperature: reading.temperature,
    humidity: reading.humidity,
    pressure: reading.pressure,
    sig: Buffer.from(ecdsaDerToRaw(der)).toString('base64url'),
  };
}

/**
 * The 64 raw bytes of a `sig`, or undefined when it is not exactly base64url of 64 bytes.
 * Node's decoder ignores stray characters and the 4 unused low bits of the last character, so
 * the text must be the canonical encoding of what it decodes to: one signature, one spelling.
 */
export function decodeSig(sig: string): Uint8Array | undefined {
  if (!SIG_PATTERN.test(sig)) return undefined;
  const raw = Buffer.from(sig, 'base64url');
  if (raw.length !== RAW_SIGNATURE_BYTES || raw.toString('base64url') !== sig) return undefined;
  return new Uint8Array(raw);
}

/**
 * DER ECDSA-Sig-Value (RFC 3279 §2.2.3: SEQUENCE { r INTEGER, s INTEGER }) → raw R‖S of
 * 32 bytes each, the inverse of the PKI's ecdsaRawToDer and the chip's own format.
 */
export function ecdsaDerToRaw(der: Uint8Array, half = RAW_SIGNATURE_BYTES / 2): Uint8Array {
  const bad = (why: string) =>
    new LabError('ERR_SE_COMMUNICATION', `the signature is not a P-256 ECDSA-Sig-Value: ${why}`, {
      details: { reason: 'bad-signature-encoding' },
    });
  let ints: Uint8Array[];
  try {
    const seq = readTlv(der);
    if (seq.tag !== 0x30 || seq.raw.length !== der.length) throw bad('not one SEQUENCE');
    const children = readChildren(seq.value);
    if (children.length !== 2 || children.some((c) => c.tag !== 0x02)) throw bad('not two INTEGERs');
    ints = children.map((c) => c.value);
  } catch (err) {
    if (err instanceof LabError) throw err;
    throw bad((err as Error).message);
  }
  const out = new Uint8Array(2 * half);
  ints.forEach((value, i) => {
    if (value.length === 0 || (value[0]! & 0x80) !== 0) throw bad('an integer is empty or negative');
    let v = value;
    while (v.length > 1 && v[0] === 0) v = v.subarray(1); // the sign octet DER adds before a high bit
    if (v.length > half) throw bad(`an integer is longer than ${half} bytes`);
    out.set(v, i * half + half - v.length);
  });
  return out;
}
