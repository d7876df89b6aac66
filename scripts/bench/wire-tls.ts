// The TLS side of the wire benchmark's capture: mutual-TLS 1.2 and 1.3 connections as a capture
// shows them. Handshakes have the layouts of RFC 5246 / RFC 8446 with the lab's certificates
// (TLS 1.2 sends them in clear); encrypted records are keystream bytes of the sizes a real
// connection would send for the same MQTT packets.
import { createECDH, createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { FixedClock } from '../../src/core/clock.js';
import { SeededRng } from '../../src/core/rng.js';
import { createRootCa, issueCertificate } from '../../src/pki/ca.js';
import { createCsr, parseCsr } from '../../src/pki/csr.js';
import { publicKeyDer } from '../../src/pki/keys.js';
import { buildName, nameDer } from '../../src/pki/names.js';
import { PROFILES } from '../../src/pki/profiles.js';
import { ecdsaRawToDer, keySigner, type Signer } from '../../src/pki/signer.js';
import type { Message, Noise, Rnd } from './wire-capture.js';

export interface Pki {
  readonly ca: Uint8Array;
  /** The CA's subject as DER: what a CertificateRequest lists (RFC 5246 §7.4.4). */
  readonly caName: Uint8Array;
  readonly broker: Uint8Array;
  readonly devices: readonly Uint8Array[];
}

/** A P-256 key derived from a label: the same key, hence the same certificate, on every run. */
function derivedKey(label: string): KeyObject {
  const d = createHash('sha256').update(label).digest();
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(d);
  const point = ecdh.getPublicKey();
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');
  const jwk = {
    kty: 'EC',
    crv: 'P-256',
    d: b64(d),
    x: b64(point.subarray(1, 33)),
    y: b64(point.subarray(33)),
  };
  return createPrivateKey({ key: jwk, format: 'jwk' });
}

/**
 * A signer whose "signature" is a hash of what it signs: well-formed DER, deterministic (ECDSA
 * is not), never valid. The dissector and tshark read certificates; neither verifies them.
 */
function placeholderSigner(label: string): Signer {
  const hash = (tag: string, tbs: Uint8Array) => createHash('sha256').update(tag).update(tbs).digest();
  return {
    publicKeyInfo: publicKeyDer(createPublicKey(derivedKey(label))),
    signatureAlgorithm: 'ecdsa-with-SHA256',
    sign: async (tbs) => ecdsaRawToDer(Buffer.concat([hash('r', tbs), hash('s', tbs)])),
  };
}

/** The lab's PKI (root, broker, one certificate per device), the same bytes on every run. */
export async function makePki(deviceNames: readonly string[]): Promise<Pki> {
  const clock = new FixedClock('2026-01-01T00:00:00Z');
  const root = await createRootCa({
    subject: { O: 'mqtts-lab', CN: 'mqtts-lab Root CA' },
    signer: placeholderSigner('ca'),
    clock,
    rng: new SeededRng('bench-wire ca'),
  });
  const ca = { certificate: root.certificate, signer: root.signer };
  const issue = async (cn: string, profile: 'broker' | 'device') => {
    // The CSR's signature is random (ECDSA): only the certificate is kept, and it is not.
    const subject = buildName({ O: 'mqtts-lab', CN: cn });
    const csr = parseCsr(await createCsr({ subject }, keySigner(derivedKey(cn))));
    const rng = new SeededRng(cn);
    return (await issueCertificate({ ca, csr, profile: PROFILES[profile], clock, rng })).certificate.der;
  };
  return {
    ca: root.certificate.der,
    caName: nameDer(root.certificate.subject),
    broker: await issue('broker.lab.local', 'broker'),
    devices: await Promise.all(deviceNames.map((n) => issue(n, 'device'))),
  };
}

const u16 = (n: number) => Uint8Array.of(n >> 8, n & 0xff);
const cat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const utf8 = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
const EMPTY = new Uint8Array(0);

/** RFC 8446 §3.4: a vector, its length in a 1-, 2- or 3-byte prefix. */
function vec(prefix: 1 | 2 | 3, body: Uint8Array): Uint8Array {
  const n = body.length;
  const head = prefix === 1 ? [n] : prefix === 2 ? [n >> 8, n & 0xff] : [n >> 16, (n >> 8) & 0xff, n & 0xff];
  return cat(Uint8Array.from(head), body);
}
/** RFC 8446 §4.2: extension_type, then extension_data as a 2-byte vector. */
const ext = (type: number, body: Uint8Array) => cat(u16(type), vec(2, body));
const codes = (list: readonly number[]) => cat(...list.map(u16));
/** RFC 5246 §6.2.1 TLSPlaintext: type, legacy version, length, fragment. */
const record = (type: number, fragment: Uint8Array, version = 0x0303) =>
  cat(Uint8Array.of(type, version >> 8, version & 0xff), u16(fragment.length), fragment);
/** RFC 8446 §4: msg_type, uint24 length, body. */
const handshake = (type: number, body: Uint8Array) => cat(Uint8Array.of(type), vec(3, body));

const CT = { ccs: 20, alert: 21, handshake: 22, appData: 23 } as const;
const SUITES_12 = [0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0x00ff];
const SUITES_13 = [0x1301, 0x1302, 0x1303];
const SCHEMES = [0x0403, 0x0503, 0x0603, 0x0807, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601];
const X25519 = 0x001d;
/** RFC 5246 §6.2.1 / RFC 8446 §5.1: a record carries at most 2^14 bytes of plaintext. */
const MAX_PLAINTEXT = 2 ** 14;

function clientHello(noise: Noise, tls13: boolean): Uint8Array {
  const exts = [
    ext(0, vec(2, cat(Uint8Array.of(0), vec(2, utf8('broker.lab.local'))))), // RFC 6066 §3 host_name
    ext(11, vec(1, Uint8Array.of(0, 1, 2))),
    ext(10, vec(2, codes([X25519, 0x0017, 0x0018]))),
    ext(35, EMPTY),
    ext(16, vec(2, vec(1, utf8('mqtt')))),
    ext(22, EMPTY),
    ext(23, EMPTY),
    ext(13, vec(2, codes(SCHEMES))),
  ];
  if (tls13)
    exts.push(
      ext(43, vec(1, codes([0x0304, 0x0303]))),
      ext(45, vec(1, Uint8Array.of(1))),
      ext(51, vec(2, cat(u16(X25519), vec(2, noise.bytes(32))))),
    );
  return cat(
    u16(0x0303),
    noise.bytes(32),
    vec(1, tls13 ? noise.bytes(32) : EMPTY), // RFC 8446 §D.4: a 1.3 client sends a legacy session id
    vec(2, codes(tls13 ? [...SUITES_13, ...SUITES_12] : SUITES_12)),
    vec(1, Uint8Array.of(0)),
    vec(2, cat(...exts)),
  );
}

function serverHello(noise: Noise, suite: number, extensions: Uint8Array): Uint8Array {
  return cat(
    u16(0x0303),
    noise.bytes(32),
    vec(1, noise.bytes(32)),
    u16(suite),
    Uint8Array.of(0),
    vec(2, extensions),
  );
}

/** RFC 5246 §7.4.8 / RFC 8446 §4.4.3: ecdsa_secp256r1_sha256 and a DER signature. */
const signature = (noise: Noise) => cat(u16(0x0403), vec(2, ecdsaRawToDer(noise.bytes(64))));
/** RFC 5246 §7.4.2: certificate_list<0..2^24-1> of ASN.1Cert<1..2^24-1>. */
const certificateList = (ders: readonly Uint8Array[]) => vec(3, cat(...ders.map((d) => vec(3, d))));
/** RFC 8446 §4.4.2: the same message with a request context and per-entry extensions. */
const certificate13Length = (ders: readonly Uint8Array[]) =>
  4 + 1 + 3 + ders.reduce((n, d) => n + 3 + d.length + 2, 0);

export interface TlsWrite {
  readonly dir: 'c2s' | 's2c';
  readonly t: number;
  /** Whole records, back to back. */
  readonly bytes: Uint8Array<ArrayBuffer>;
}

export interface TlsConnection {
  readonly writes: readonly TlsWrite[];
  readonly records: number;
  /** Records of type 23: application data, and TLS 1.3's encrypted handshake. */
  readonly appData: number;
  /** Sum of the records' length fields. */
  readonly recordBytes: number;
}

/**
 * A mutual-TLS connection carrying `messages` (the MQTT session's packets, one record each or
 * one per 2^14 bytes). `failed`: the server refuses the client certificate (TLS 1.2: a clear
 * unknown_ca alert; TLS 1.3: an encrypted alert) and no application data follows.
 */
export function tlsConnection(
  rnd: Rnd,
  noise: Noise,
  pki: Pki,
  device: Uint8Array,
  tls13: boolean,
  messages: readonly Message[],
  failed: boolean,
): TlsConnection {
  const writes: TlsWrite[] = [];
  let records = 0;
  let appData = 0;
  let recordBytes = 0;
  let t = messages[0]!.t - 3_000;
  const write = (dir: 'c2s' | 's2c', list: readonly (readonly [number, Uint8Array])[], version = 0x0303) => {
    t += 250;
    records += list.length;
    appData += list.filter(([type]) => type === CT.appData).length;
    recordBytes += list.reduce((n, [, body]) => n + body.length, 0);
    writes.push({ dir, t, bytes: cat(...list.map(([type, body]) => record(type, body, version))) });
  };
  const hs = (type: number, body: Uint8Array) => [CT.handshake, handshake(type, body)] as const;
  const ccs = [CT.ccs, Uint8Array.of(1)] as const;
  // RFC 8446 §5.1: the record of a ClientHello may say 0x0301, for middleboxes.
  write('c2s', [hs(1, clientHello(noise, tls13))], 0x0301);
  let overhead: number;
  if (tls13) {
    overhead = 17; // RFC 8446 §5.2: the inner content type and a 16-byte tag
    const sealed = (plain: number) => [CT.appData, noise.bytes(plain + overhead)] as const;
    const suite = rnd() < 0.7 ? 0x1301 : 0x1302;
    const exts = cat(ext(43, u16(0x0304)), ext(51, cat(u16(X25519), vec(2, noise.bytes(32)))));
    // EncryptedExtensions (ALPN), CertificateRequest, Certificate, CertificateVerify, Finished.
    const serverFlight = [4 + 13, 4 + 27, certificate13Length([pki.broker, pki.ca]), 4 + 76, 4 + 32];
    write('s2c', [hs(2, serverHello(noise, suite, exts)), ccs, ...serverFlight.map(sealed)]);
    write('c2s', [ccs, ...[certificate13Length([device]), 4 + 76, 4 + 32].map(sealed)]);
    if (failed) {
      write('s2c', [sealed(2)]); // an alert (bad_certificate, say): only its length shows
      return { writes, records, appData, recordBytes };
    }
    write('s2c', [sealed(4 + 200), sealed(4 + 200)]); // two NewSessionTickets, as OpenSSL sends
  } else {
    const suite = rnd() < 0.7 ? 0xc02b : 0xcca9;
    overhead = suite === 0xc02b ? 24 : 16; // RFC 5288 §3: explicit nonce + tag; RFC 7905: tag only
    const exts = cat(
      ext(0xff01, vec(1, EMPTY)),
      ext(11, vec(1, Uint8Array.of(0))),
      ext(23, EMPTY),
      ext(16, vec(2, vec(1, utf8('mqtt')))),
    );
    // RFC 8422 §5.4 ServerKeyExchange: named curve x25519, the point, a signature.
    const ske = cat(Uint8Array.of(3), u16(X25519), vec(1, noise.bytes(32)), signature(noise));
    // RFC 5246 §7.4.4 CertificateRequest: ecdsa_sign and rsa_sign, three schemes, the lab's CA.
    const cr = cat(
      vec(1, Uint8Array.of(64, 1)),
      vec(2, codes([0x0403, 0x0804, 0x0401])),
      vec(2, vec(2, pki.caName)),
    );
    write('s2c', [
      hs(2, serverHello(noise, suite, exts)),
      hs(11, certificateList([pki.broker, pki.ca])),
      hs(12, ske),
      hs(13, cr),
      hs(14, EMPTY),
    ]);
    const finished = [CT.handshake, noise.bytes(16 + overhead)] as const; // encrypted (RFC 5246 §7.4.9)
    const cke = vec(1, noise.bytes(32)); // RFC 8422 §5.7
    write('c2s', [hs(11, certificateList([device])), hs(16, cke), hs(15, signature(noise)), ccs, finished]);
    if (failed) {
      write('s2c', [[CT.alert, Uint8Array.of(2, 48)]]); // RFC 5246 §7.2: fatal unknown_ca, in clear
      return { writes, records, appData, recordBytes };
    }
    write('s2c', [ccs, [CT.handshake, noise.bytes(16 + overhead)]]);
  }
  for (const m of messages) {
    const list: (readonly [number, Uint8Array])[] = [];
    for (let at = 0; at < m.bytes.length; at += MAX_PLAINTEXT) {
      const n = Math.min(MAX_PLAINTEXT, m.bytes.length - at);
      list.push([CT.appData, noise.bytes(n + overhead)]);
    }
    t = Math.max(t, m.t - 250);
    write(m.dir, list);
  }
  // close_notify: under the record's protection, so 2 bytes plus the overhead.
  write('c2s', [[tls13 ? CT.appData : CT.alert, noise.bytes(2 + overhead)]]);
  return { writes, records, appData, recordBytes };
}
