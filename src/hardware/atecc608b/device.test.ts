import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { CONFIG } from './config.js';
import { crc16Le } from './crc.js';
import { encodeCommand, OPCODE, STATUS, WAKE_RESPONSE } from './packet.js';
import { decodeImage, encodeImage } from './image.js';
import { Atecc608b } from './part.js';
import { BYTE_US, fromHex, hex, partOnHost, TestHost, WAKE_DELAY_US } from './test-host.case.js';
import { dataAddress } from './zones.js';

const WORD = { RESET: Uint8Array.of(0x00), SLEEP: Uint8Array.of(0x01), IDLE: Uint8Array.of(0x02) };

test('asleep the part NACKs; a wake pulse ≥ tWLO makes it answer 04 11 33 43 after tWHI', () => {
  const { part, host } = partOnHost({ timing: 'typical' });
  assert.equal(part.state(host.now), 'sleep');
  assert.equal(host.read(4), null);
  assert.equal(host.write(WORD.RESET), false);
  host.wakePulse(20); // a general call at 400 kHz is too short
  assert.equal(part.state(host.now), 'sleep');
  host.wakePulse(90);
  assert.equal(part.state(host.now), 'waking');
  assert.equal(host.read(4), null, 'NACK during tWHI');
  host.advance(WAKE_DELAY_US);
  assert.deepEqual(host.read(4), WAKE_RESPONSE);
  assert.deepEqual(hex(WAKE_RESPONSE), '04113343');
  // Past the end of the group the part sends 0xFF; word address 0x00 rewinds.
  assert.deepEqual(host.read(2), Uint8Array.of(0xff, 0xff));
  assert.ok(host.write(WORD.RESET));
  assert.deepEqual(host.read(6), Uint8Array.of(0x04, 0x11, 0x33, 0x43, 0xff, 0xff));
  // A wake pulse while awake changes nothing.
  host.wakePulse(200);
  assert.equal(part.state(host.now), 'ready');
});

test('sleep clears TempKey, idle keeps it', () => {
  const { host } = partOnHost();
  const digest = createHash('sha256').update('x').digest();
  const tempKeyValid = (): boolean => {
    const state = host.command(OPCODE.INFO, 0x02, 0).payload;
    return (state[1]! & 0x80) !== 0;
  };
  assert.equal(tempKeyValid(), false);
  assert.equal(host.command(OPCODE.NONCE, 0x03, 0, digest).status, STATUS.SUCCESS);
  assert.equal(tempKeyValid(), true, 'host.command idles between commands');
  assert.equal(host.command(OPCODE.SIGN, 0x80, 0).payload.length, 64);
  host.wake();
  assert.ok(host.sleep());
  assert.equal(tempKeyValid(), false);
  assert.equal(host.command(OPCODE.SIGN, 0x80, 0).status, STATUS.EXECUTION_ERROR);
});

test('the watchdog sends the part to sleep ~1.3 s after wake (volatile state lost)', () => {
  const { part, host } = partOnHost();
  host.wake();
  assert.ok(host.send(OPCODE.NONCE, 0x03, 0, new Uint8Array(32)));
  host.receive();
  host.advance(1_200_000);
  assert.equal(part.state(host.now), 'ready');
  host.advance(200_000);
  assert.equal(part.state(host.now), 'sleep');
  assert.equal(host.read(4), null);
  assert.deepEqual(host.wake(), WAKE_RESPONSE);
  assert.equal(host.command(OPCODE.SIGN, 0x80, 0).status, STATUS.EXECUTION_ERROR, 'TempKey was cleared');
  // Idle stops the watchdog.
  host.wake();
  host.idle();
  host.advance(5_000_000);
  assert.equal(part.state(host.now), 'idle');
});

test('a long watchdog (ChipMode bit 2) lasts ~13 s', () => {
  const { part, host } = partOnHost({ profile: 'blank' });
  host.command(OPCODE.WRITE, 0x00, 4, Uint8Array.of(0xc0, 0x00, 0x00, 0x04)); // bytes 16–19
  assert.equal(part.configZone[CONFIG.CHIP_MODE], 0x04);
  host.wake();
  host.advance(12_000_000);
  assert.equal(part.state(host.now), 'ready');
  host.advance(1_100_000);
  assert.equal(part.state(host.now), 'sleep');
});

test("'typical' timing: NACK while busy, then the response; 'max' takes longer; 'instant' none", () => {
  const { part, host } = partOnHost({ timing: 'typical' });
  host.wake();
  const start = host.now;
  assert.ok(host.send(OPCODE.GENKEY, 0x00, 0));
  assert.equal(part.state(host.now), 'busy');
  assert.equal(host.read(1), null);
  assert.equal(host.write(WORD.RESET), false);
  const group = host.receive();
  assert.equal(group.length, 67);
  const typical = host.now - start;
  assert.ok(typical >= 60_000 && typical < 70_000, `typical GenKey took ${typical} µs`);
  host.idle();
  part.timing = 'max';
  host.wake();
  const t0 = host.now;
  host.send(OPCODE.GENKEY, 0x00, 0);
  host.receive();
  assert.ok(host.now - t0 >= 115_000, 'max GenKey is 115 ms');
  host.idle();
  part.timing = 'instant';
  host.wake();
  host.send(OPCODE.GENKEY, 0x00, 0);
  assert.equal(part.state(host.now), 'ready');
  assert.throws(() => {
    part.timing = 'fast' as never;
  });
});

test('a command that cannot finish before the watchdog is refused with 0xEE', () => {
  const { host } = partOnHost({ timing: 'max' });
  host.wake();
  host.advance(1_200_000);
  assert.ok(host.send(OPCODE.SELFTEST, 0x3b, 0)); // 250 ms, watchdog in ~100 ms
  assert.equal(hex(host.receive()), hex(fromHex('04 EE 31 41')));
});

test('multi-read: a 67-byte response fetched as 32 + 32 + 3 without rewinding', () => {
  const { part, host } = partOnHost();
  host.wake();
  host.send(OPCODE.GENKEY, 0x00, 0);
  const parts = [host.read(32)!, host.read(32)!, host.read(3)!];
  const group = Uint8Array.from(parts.flatMap((p) => [...p]));
  assert.equal(group[0], 67);
  assert.deepEqual(group.subarray(1, 65), part.publicKey(0));
  assert.deepEqual(host.read(4), Uint8Array.of(0xff, 0xff, 0xff, 0xff));
  // A 35-byte Read reply fetched as SparkFun does: 32 then 3.
  host.send(OPCODE.READ, 0x80, 0);
  const first = host.read(32)!;
  const last = host.read(3)!;
  assert.equal(first[0], 35);
  assert.deepEqual(Uint8Array.from([...first, ...last]).subarray(1, 33), part.configZone.subarray(0, 32));
});

test('CRC errors come first (0xFF), then parse errors (0x03), then execution errors (0x0F)', () => {
  const { host } = partOnHost();
  host.wake();
  const ask = (bytes: Uint8Array): string => {
    host.sendRaw(bytes);
    return hex(host.receive());
  };
  const badOpcode = encodeCommand(0x99, 0, 0);
  assert.equal(ask(badOpcode), '04038342', 'unknown opcode, good CRC: parse error');
  badOpcode[5]! ^= 0xff;
  assert.equal(ask(badOpcode), '04FF0142', 'unknown opcode and bad CRC: CRC error first');
  const readSlot0 = encodeCommand(OPCODE.READ, 0x82, dataAddress(0, 0));
  assert.equal(ask(readSlot0), '040F2342', 'forbidden read: execution error');
  readSlot0[6]! ^= 1;
  assert.equal(ask(readSlot0), '04FF0142', 'forbidden read and bad CRC: CRC error first');
  assert.equal(ask(fromHex('07 30 00')), '04FF0142', 'cut before count bytes');
  assert.equal(ask(fromHex('02 00')), '04FF0142', 'no room for a CRC');
  const head = Uint8Array.of(0x05, 0x30, 0x00);
  assert.equal(
    ask(Uint8Array.from([...head, ...crc16Le(head)])),
    '04038342',
    'count 5 with a good CRC: parse error',
  );
  assert.equal(ask(Uint8Array.of(0x04, 0x30, 0x1f, 0x42)), '04FF0142');
  const emptyCount = fromHex('03 00 00');
  assert.equal(ask(emptyCount), '04FF0142');
});

test('sleep, idle and reserved word addresses', () => {
  const { part, host } = partOnHost();
  host.wake();
  assert.ok(host.write(Uint8Array.of(0x07, 1, 2, 3)), 'reserved word address acknowledged');
  assert.equal(part.state(host.now), 'ready');
  assert.ok(host.write(new Uint8Array(0)), 'address-only write (bus scan) acknowledged');
  assert.ok(host.write(WORD.IDLE));
  assert.equal(part.state(host.now), 'idle');
  assert.equal(host.write(WORD.RESET), false);
  host.wake();
  assert.ok(host.write(WORD.SLEEP));
  assert.equal(part.state(host.now), 'sleep');
  assert.ok(BYTE_US > 0);
});

test('a part whose I2C_Enable bit is clear never answers on I2C', () => {
  const { eeprom } = decodeImage(Atecc608b.create().toImage());
  eeprom.config[CONFIG.I2C_ENABLE]! &= 0xfe;
  const part = Atecc608b.fromImage(encodeImage({ profile: 'tngtls', eeprom }), { timing: 'instant' });
  const host = new TestHost(part);
  assert.equal(host.wake(), null);
  assert.equal(part.state(host.now), 'sleep');
});

test('moved to another board after a power cycle, the part follows the new bus clock', () => {
  const { part, host } = partOnHost({ timing: 'typical' });
  host.advance(5_000_000);
  assert.deepEqual(host.wake(), WAKE_RESPONSE);
  part.powerCycle();
  const other = new TestHost(part); // a new board: its clock starts near zero
  assert.equal(part.state(other.now), 'sleep');
  assert.deepEqual(other.wake(), WAKE_RESPONSE);
});
