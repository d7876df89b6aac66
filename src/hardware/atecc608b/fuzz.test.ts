import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../../../test/helpers/prng.js';
import { SeededRng } from '../../core/rng.js';
import { VirtualBusClock } from '../i2c/clock.js';
import { keyConfigOf } from './config.js';
import { crc16Le, hasValidCrc } from './crc.js';
import { Device } from './device.js';
import { privateKeyIn } from './keys.js';
import { encodeCommand, OPCODE, STATUS_CODES } from './packet.js';
import { publicKeyOf, randomScalar } from './p256.js';
import { manufacture, type ProfileName } from './profiles.js';
import { dataAddress, SLOT_COUNT, zoneAddress } from './zones.js';

const PACKETS = 100_000;
const RESPONSE_SIZES = new Set([4, 7, 35, 67]);
const OPCODES = Object.values(OPCODE);
const PARAM1 = [
  0x00, 0x01, 0x02, 0x03, 0x04, 0x08, 0x0c, 0x0e, 0x20, 0x22, 0x23, 0x3b, 0x40, 0x43, 0x63, 0x80, 0x81, 0x82,
  0xa0, 0xc2,
];
const PARAM2 = [0x0004, 0x0040, 0x0140, 0x0c40, 0x8000, 0xffff];
const LENGTHS = [0, 0, 3, 4, 20, 32, 32, 36, 64, 64, 128];

type Draw = {
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  bytes(n: number): Uint8Array;
  point(): Uint8Array;
};
type Shape = (r: Draw) => [param1: number, param2: number, data: Uint8Array];
const address = (r: Draw): number =>
  r.int(3) === 0
    ? zoneAddress(r.int(4), r.int(8))
    : dataAddress(r.int(2) === 0 ? r.pick([6, 8, 9]) : r.int(16), r.int(14), r.int(8));
const none = new Uint8Array(0);

/** Well-formed-looking packets per command, so the fuzz reaches past the parser into the policies. */
const SHAPES: ReadonlyMap<number, Shape> = new Map<number, Shape>([
  [OPCODE.READ, (r) => [r.pick([0x00, 0x80, 0x01, 0x81, 0x02, 0x82]), address(r), none]],
  [
    OPCODE.WRITE,
    (r) => {
      const p1 = r.pick([0x00, 0x80, 0x01, 0x81, 0x02, 0x82, 0xc2]);
      return [p1, address(r), r.bytes((p1 & 0x80 ? 32 : 4) + (p1 & 0x40 ? 32 : 0))];
    },
  ],
  [
    OPCODE.NONCE,
    (r) => {
      const modes: ReadonlyArray<readonly [number, number]> = [
        [0x00, 20],
        [0x01, 20],
        [0x03, 32],
        [0x43, 32],
        [0x83, 32],
        [0x23, 64],
        [0x63, 64],
      ];
      const [p1, length] = r.pick(modes);
      return [p1, 0, r.bytes(length)];
    },
  ],
  [OPCODE.LOCK, (r) => [r.pick([0x00, 0x01, 0x80, 0x81, 0x02 | (r.int(16) << 2)]), r.int(0x10000), none]],
  [OPCODE.RANDOM, (r) => [r.int(2), 0, none]],
  [OPCODE.INFO, (r) => [r.int(5), r.int(18), none]],
  [OPCODE.GENKEY, (r) => [r.pick([0x00, 0x04]), r.int(16), r.bytes(r.pick([0, 3]))]],
  [OPCODE.SIGN, (r) => [r.pick([0x80, 0xa0, 0xc0, 0x00, 0x40]), r.int(16), none]],
  [
    OPCODE.ECDH,
    (r) => [r.pick([0x00, 0x08, 0x0c, 0x0e]), r.int(16), r.int(4) === 0 ? r.bytes(64) : r.point()],
  ],
  [
    OPCODE.VERIFY,
    (r) =>
      r.int(2) === 0
        ? [r.pick([0x02, 0x22]), 0x0004, Uint8Array.from([...r.bytes(64), ...r.point()])]
        : [r.pick([0x00, 0x20]), r.int(16), r.bytes(64)],
  ],
  [
    OPCODE.SHA,
    (r) => {
      const mode = r.pick([0x00, 0x01, 0x01, 0x02, 0x42, 0xc2]);
      const n = mode === 0x00 ? 0 : mode === 0x01 ? 64 : r.int(64);
      return [mode, n, r.bytes(n)];
    },
  ],
  [OPCODE.COUNTER, (r) => [r.int(2), r.int(2), none]],
  [OPCODE.SELFTEST, (r) => [r.pick([0x01, 0x08, 0x10, 0x20, 0x3b]), 0, none]],
  [OPCODE.UPDATE_EXTRA, (r) => [r.int(2), r.int(256), none]],
]);

/**
 * Command-packet fuzz: random, mostly well-formed packets (valid CRC, plausible opcodes and
 * parameters, so they reach the commands), corrupted ones and raw noise, mixed with wake /
 * sleep / idle / reads. The part must never throw, must answer only well-formed groups with
 * known status codes, and no response may contain any 8 bytes of any private key it ever held.
 */
function fuzz(profile: ProfileName, packets: number, seed: number): { commands: number; signatures: number } {
  const rnd = mulberry32(seed);
  const int = (n: number): number => Math.floor(rnd() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => int(256));
  const rng = new SeededRng(`fuzz-${seed}`);
  const points = Array.from({ length: 8 }, () => publicKeyOf(randomScalar(rng)));
  const draw: Draw = { int, pick, bytes, point: () => pick(points) };
  const shapes = [...SHAPES];
  const eeprom = manufacture(profile, { rng });
  const device = new Device(eeprom, { rng, timing: 'instant' });
  const clock = new VirtualBusClock();
  const secrets = new Set<string>();
  const learnSecrets = (): void => {
    for (let slot = 0; slot < SLOT_COUNT; slot++) {
      const d = keyConfigOf(eeprom.config, slot).private ? privateKeyIn(eeprom, slot) : null;
      if (d) for (let i = 0; i + 8 <= 32; i++) secrets.add(Buffer.from(d.subarray(i, i + 8)).toString('hex'));
    }
  };
  learnSecrets();
  let commands = 0;
  let signatures = 0;

  for (let n = 0; n < packets; n++) {
    clock.advance(1 + int(2000));
    const roll = rnd();
    if (roll < 0.03) {
      // Bus events: wake pulses of any length, sleep, idle, reset, stray reads and writes.
      const event = int(5);
      if (event === 0) device.sdaLow(int(200), clock.nowUs());
      else if (event === 1) device.write(Uint8Array.of(int(4)), clock.nowUs());
      else if (event === 2) device.read(int(80), clock.nowUs());
      else if (event === 3) device.write(bytes(int(10)), clock.nowUs());
      else clock.advance(int(2_000_000));
      continue;
    }
    if (device.state(clock.nowUs()) !== 'ready') {
      device.sdaLow(100, clock.nowUs());
      clock.advance(10);
    }
    let packet: Uint8Array;
    if (roll < 0.45) {
      const [opcode, shape] = pick(shapes);
      const [p1, p2, data] = shape(draw);
      packet = encodeCommand(opcode, p1, p2, data);
    } else if (roll < 0.85) {
      const opcode = rnd() < 0.95 ? pick(OPCODES) : int(256);
      const p1 = rnd() < 0.6 ? pick(PARAM1) : int(256);
      const p2 = rnd() < 0.6 ? int(18) : rnd() < 0.5 ? pick(PARAM2) : int(0x10000);
      const length = rnd() < 0.9 ? pick(LENGTHS) : int(145);
      packet = encodeCommand(opcode, p1, p2, bytes(length));
    } else if (roll < 0.95) {
      packet = encodeCommand(pick(OPCODES), pick(PARAM1), int(18), bytes(pick(LENGTHS)));
      packet[int(packet.length)]! ^= 1 << int(8);
    } else {
      packet = bytes(int(160));
      if (rnd() < 0.5 && packet.length >= 3) {
        packet[0] = packet.length; // right count, random body, right CRC
        packet.set(crc16Le(packet.subarray(0, packet.length - 2)), packet.length - 2);
      }
    }
    // Only a failure pays for formatting the packet.
    const check = (ok: unknown, what: string): void => {
      if (!ok) assert.fail(`packet ${n} (${Buffer.from(packet).toString('hex')}): ${what}`);
    };
    check(device.write(Uint8Array.from([0x03, ...packet]), clock.nowUs()), 'NACKed');
    if (packet.length === 0) continue;
    commands++;
    const count = device.read(1, clock.nowUs());
    check(count, 'no response');
    const size = count![0]!;
    check(RESPONSE_SIZES.has(size), `count ${size}`);
    const group = Uint8Array.from([size, ...device.read(size - 1, clock.nowUs())!]);
    check(hasValidCrc(group), 'bad response CRC');
    if (size === 4) check(STATUS_CODES.has(group[1]!), `status ${group[1]}`);
    const payload = Buffer.from(group.subarray(1, size - 2)).toString('hex');
    for (let i = 0; i + 16 <= payload.length; i += 2)
      check(!secrets.has(payload.slice(i, i + 16)), 'leaked a key');
    if (packet[1] === OPCODE.GENKEY && size === 67) learnSecrets();
    if (packet[1] === OPCODE.SIGN && size === 67) signatures++;
    if (rnd() < 0.3) device.write(Uint8Array.of(0x02), clock.nowUs());
  }
  return { commands, signatures };
}

test('command-packet fuzz: 80,000 packets on a TNGTLS part, 20,000 on a blank part', () => {
  const tngtls = fuzz('tngtls', PACKETS * 0.8, 0x608b);
  const blank = fuzz('blank', PACKETS * 0.2, 0x7e57);
  assert.ok(tngtls.commands > PACKETS * 0.7, `only ${tngtls.commands} commands reached the part`);
  assert.ok(tngtls.signatures > 0, 'some packets went as deep as a signature');
  assert.ok(blank.commands > PACKETS * 0.15);
});
