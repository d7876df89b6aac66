import { createCipheriv, createHash } from 'node:crypto';
import { OPCODE } from '../packet.js';
import { ecdhSharedX, publicKeyOf, signDigest, verifyDigest } from '../p256.js';
import { ok, parseError, type Command, type CommandContext } from './context.js';

/** Test bits of param1 (CryptoAuthLib SELFTEST_MODE_*); 0x3B runs them all. */
const TEST = { RNG: 0x01, ECDSA: 0x02, ECDH: 0x08, AES: 0x10, SHA: 0x20 } as const;
const ALL = 0x3b;

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const equal = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

// Known answers: RFC 6979 A.2.5 (P-256 key and public X), FIPS 197 C.1 (AES-128), FIPS 180-2 ("abc").
const KEY = hex('C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721');
const KEY_X = hex('60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6');
const SAMPLE_SIGNATURE = hex(
  'EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716' +
    'F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8',
);
const G = publicKeyOf(hex('0000000000000000000000000000000000000000000000000000000000000001'));

const KNOWN_ANSWER: Readonly<Record<number, (ctx: CommandContext) => boolean>> = {
  [TEST.RNG]: (ctx) => new Set(ctx.rng.bytes(32)).size > 1,
  [TEST.ECDSA]: () => {
    const digest = createHash('sha256').update('sample').digest();
    return (
      equal(signDigest(KEY, digest), SAMPLE_SIGNATURE) &&
      verifyDigest(publicKeyOf(KEY), digest, SAMPLE_SIGNATURE)
    );
  },
  [TEST.ECDH]: () => {
    const x = ecdhSharedX(KEY, G);
    return x !== null && equal(x, KEY_X);
  },
  [TEST.AES]: () => {
    const cipher = createCipheriv(
      'aes-128-ecb',
      hex('000102030405060708090a0b0c0d0e0f'),
      null,
    ).setAutoPadding(false);
    const out = cipher.update(hex('00112233445566778899aabbccddeeff'));
    return equal(out, hex('69c4e0d86a7b0430d8cdb78070b4c55a'));
  },
  [TEST.SHA]: () =>
    equal(
      createHash('sha256').update('abc').digest(),
      hex('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'),
    ),
};

/**
 * SelfTest (0x77): run the known-answer tests selected by param1 on the part's own primitives.
 * The 1-byte answer is 0x00 when all pass, otherwise the bits of the tests that failed.
 */
export const selfTest: Command = {
  opcode: OPCODE.SELFTEST,
  name: 'SelfTest',
  maxMs: 250,
  typicalMs: 150,
  run(packet, ctx) {
    const mode = packet.param1;
    if (mode === 0 || mode & ~ALL || packet.param2 !== 0 || packet.data.length !== 0) return parseError;
    let failed = 0;
    for (const bit of Object.values(TEST)) if (mode & bit && !KNOWN_ANSWER[bit]!(ctx)) failed |= bit;
    return ok(Uint8Array.of(failed));
  },
};
