import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hex } from './golden.case.js';
import { TlsParseError, TlsReader } from './reader.js';

const fails = (fn: () => unknown, what: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof TlsParseError && what.test(e.message));

test('reads big-endian integers and stops at the end', () => {
  const r = new TlsReader(hex('01 0203 040506 0708090a'));
  assert.equal(r.u8('a'), 1);
  assert.equal(r.u16('b'), 0x0203);
  assert.equal(r.u24('c'), 0x040506);
  assert.equal(r.u32('d'), 0x0708090a);
  assert.equal(r.remaining, 0);
  fails(() => r.u8('past'), /past: needs 1 bytes, 0 remain/);
});

test('u32 stays unsigned above 2^31', () => {
  assert.equal(new TlsReader(hex('ffffffff')).u32('x'), 0xffffffff);
});

test('a vector longer than what remains is refused before slicing (RFC 8446 §3.4)', () => {
  fails(() => new TlsReader(hex('0005 010203')).vector(2, 'v'), /v: needs 5 bytes, 3 remain/);
  fails(() => new TlsReader(hex('ffffff 00')).vector(3, 'v'), /needs 16777215 bytes/);
});

test('a vector outside its <min..max> is refused', () => {
  fails(() => new TlsReader(hex('00')).opaque(1, 'sid', 1), /sid: length 0 outside <1\.\.255>/);
  fails(
    () => new TlsReader(hex(`21 ${'00'.repeat(33)}`)).opaque(1, 'sid', 0, 32),
    /length 33 outside <0\.\.32>/,
  );
});

test('a vector reader is confined to its own bytes', () => {
  const r = new TlsReader(hex('0002 aabb cc'));
  const v = r.vector(2, 'v');
  assert.equal(v.u16('x'), 0xaabb);
  fails(() => v.u8('y'), /needs 1 bytes, 0 remain/);
  assert.equal(r.u8('after'), 0xcc);
});

test('u16List rejects an odd length; u8List reads bytes', () => {
  fails(() => new TlsReader(hex('0003 000102')).u16List(2, 'suites'), /suites: odd length 3/);
  assert.deepEqual(new TlsReader(hex('0004 c02b c02f')).u16List(2, 'suites'), [0xc02b, 0xc02f]);
  assert.deepEqual(new TlsReader(hex('02 0100')).u8List('m'), [1, 0]);
});

test('done() rejects trailing bytes (RFC 8446 §6.2 decode_error)', () => {
  const r = new TlsReader(hex('01 02'));
  r.u8('a');
  fails(() => r.done('msg'), /msg: 1 unexpected trailing bytes/);
});
