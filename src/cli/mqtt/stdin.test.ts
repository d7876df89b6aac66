import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { readAll, readLines } from './stdin.js';

const lines = async (chunks: string[]) => {
  const out: string[] = [];
  for await (const l of readLines(Readable.from(chunks.map((c) => Buffer.from(c))))) out.push(l.toString());
  return out;
};

test("-l splits on '\\n' only, as mosquitto_pub: '\\r' kept, empty lines sent, last line without '\\n' sent", async () => {
  assert.deepEqual(await lines(['a\n\nb\r\nc']), ['a', '', 'b\r', 'c']);
  assert.deepEqual(await lines(['par', 'tial\nli', 'ne\n']), ['partial', 'line']);
  assert.deepEqual(await lines([]), []);
});

test('-s reads everything as one message', async () => {
  assert.deepEqual(
    await readAll(Readable.from([Buffer.from([0, 1]), Buffer.from([255])])),
    Buffer.from([0, 1, 255]),
  );
});
