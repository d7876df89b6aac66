/**
 * Standard input for pub -s (one message) and -l (one message per line). Lines are split on
 * '\n' only, as mosquitto_pub's fgets loop does: a '\r' stays in the payload, an empty line is
 * an empty message, and a last line without '\n' is still sent.
 */

export async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

export async function* readLines(stream: NodeJS.ReadableStream): AsyncGenerator<Buffer> {
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of stream) {
    const bytes: Buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    pending = pending.length === 0 ? bytes : Buffer.concat([pending, bytes]);
    let nl: number;
    while ((nl = pending.indexOf(0x0a)) >= 0) {
      yield Buffer.from(pending.subarray(0, nl));
      pending = pending.subarray(nl + 1);
    }
  }
  if (pending.length > 0) yield Buffer.from(pending);
}
