import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Command, InvalidArgumentError } from 'commander';
import type { IClientPublishOptions } from 'mqtt';
import { LabError } from '../../core/errors.js';
import { readFileChecked } from '../../core/fs.js';
import { validateTopicName } from '../../wire/mqtt/topic.js';
import type { CliIo } from '../io.js';
import { examples } from '../options.js';
import { addClientFlags, type ClientFlags, normalizeFlags, rangeOption, usage } from './client-flags.js';
import { buildConnectionPlan } from './connection-options.js';
import type { Failure } from './failure.js';
import { parseProperties } from './properties.js';
import { reasonString } from './reasons.js';
import { fail, runtimeError, warnInsecure } from './report.js';
import { openCliKeyLog } from '../keylog.js';
import { Session } from './session.js';
import { readAll, readLines } from './stdin.js';

interface PubFlags extends ClientFlags {
  topic?: string;
  message?: string;
  file?: string;
  stdinLine?: boolean;
  nullMessage?: boolean;
  stdinFile?: boolean;
  retain?: boolean;
  repeat: number;
  repeatDelay: number;
}

function seconds(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError(`"${value}" is not a number of seconds >= 0`);
  return n;
}

export function registerPub(parent: Command, io: CliIo): void {
  const cmd = parent
    .command('pub')
    .description("publish MQTT messages: mosquitto_pub's flags, on MQTT.js (MQTT 3.1, 3.1.1, 5; TLS, mTLS)");
  addClientFlags(cmd)
    .option('-t, --topic <topic>', 'topic to publish on')
    .option('-m, --message <message>', 'send this message')
    .option('-f, --file <file>', "send a file's contents as one message")
    .option('-l, --stdin-line', 'send each line of standard input as a message')
    .option('-n, --null-message', 'send a zero-length message')
    .option('-s, --stdin-file', 'send all of standard input as one message')
    .option('-r, --retain', 'ask the broker to retain the message')
    .option('--repeat <count>', 'publish a -m/-f/-s/-n message this many times', rangeOption(1, 2 ** 31), 1)
    .option('--repeat-delay <seconds>', 'wait this long after each delivery before repeating', seconds, 0)
    .addHelpText(
      'after',
      examples([
        'mqtts-lab pub -h localhost -t ciel -m "hello"',
        'mqtts-lab pub -p 8883 --cafile ca.crt --cert client.crt --key client.key -t ciel -m 21.5 -q 1 -d',
        'mqtts-lab pub -V 5 -t m5go/env -m "{\\"t\\":21.5}" -D publish content-type application/json',
        'sensor-reader | mqtts-lab pub -t m5go/env -l',
        'mqtts-lab pub -L mqtts://localhost/ciel --cafile ca.crt -f reading.json -r',
      ]),
    )
    .action(async (raw: PubFlags) => {
      const flags = normalizeFlags(raw);
      await publish(flags, io);
    });
}

type Source =
  | { readonly kind: 'single'; readonly payload: Buffer }
  | { readonly kind: 'lines'; readonly stream: NodeJS.ReadableStream };

async function messageSource(f: PubFlags, io: CliIo): Promise<Source> {
  const modes = [
    f.message !== undefined,
    f.file !== undefined,
    f.stdinLine,
    f.nullMessage,
    f.stdinFile,
  ].filter(Boolean);
  if (modes.length !== 1) usage('give exactly one of -m, -f, -l, -n, -s');
  if (f.message !== undefined) return { kind: 'single', payload: Buffer.from(f.message, 'utf8') };
  if (f.file !== undefined) return { kind: 'single', payload: readFileChecked(resolve(io.cwd, f.file)) };
  if (f.nullMessage) return { kind: 'single', payload: Buffer.alloc(0) };
  if (io.stdin === undefined) usage('-l and -s read standard input, and there is none');
  if (f.stdinLine) return { kind: 'lines', stream: io.stdin };
  const payload = await readAll(io.stdin);
  if (payload.length === 0)
    throw new LabError(
      'ERR_OPTIONS_INVALID',
      'standard input is empty (-s); use -n to send a zero-length message',
      {
        details: { option: '-s' },
      },
    );
  return { kind: 'single', payload };
}

async function publish(f: PubFlags, io: CliIo): Promise<void> {
  const props = parseProperties(f.property ?? [], ['connect', 'publish', 'disconnect', 'will']);
  const plan = buildConnectionPlan(f, props, { cwd: io.cwd, pid: process.pid });
  const topic = f.topic ?? plan.urlTopic;
  if (topic === undefined) usage('a topic is needed (-t, or -L with a topic)');
  if (f.topic !== undefined && plan.urlTopic !== undefined) usage('-L already gives the topic: drop -t');
  const bad = validateTopicName(topic);
  if (bad !== undefined) usage(`invalid publish topic "${topic}": ${bad.message}`);
  // Files and -s are read before connecting, so a missing file never opens a connection.
  const source = await messageSource(f, io);
  warnInsecure(io, plan);

  const debugLine = f.debug ? (l: string) => io.stdout(`${l}\n`) : undefined;
  const keyLog = openCliKeyLog(io, f.keylog);
  const opened = await Session.open(plan, 'pub', debugLine, keyLog && ((line) => keyLog.write(line)));
  if (!opened.ok) fail(io, f, opened.failure);
  const { session } = opened;
  let lost: Failure | undefined;
  const lostSignal = new Promise<void>((resolveLost) =>
    session.onLost((failure) => {
      lost = failure;
      resolveLost();
    }),
  );
  const options: IClientPublishOptions = {
    qos: f.qos,
    retain: f.retain === true,
    ...(props.publish !== undefined ? { properties: props.publish } : {}),
  };
  let sent = 0;
  const send = (payload: Buffer): Promise<void> =>
    new Promise((done) => {
      sent++;
      session.client.publish(topic, payload, options, (err, packet) => {
        const rc = (packet as { reasonCode?: number } | undefined)?.reasonCode;
        // A v5 PUBACK/PUBREC >= 0x80 refuses the message; mosquitto_pub warns and goes on.
        if (err !== undefined && err !== null && rc !== undefined && rc >= 0x80)
          runtimeError(io, f, `Warning: Publish ${packet?.messageId ?? sent} failed: ${reasonString(rc)}.`);
        else if (err !== undefined && err !== null) runtimeError(io, f, `Error: ${err.message}`);
        done();
      });
    });

  const work = (async () => {
    if (source.kind === 'lines') {
      const inflight: Promise<void>[] = [];
      for await (const line of readLines(source.stream)) {
        if (lost !== undefined) break;
        inflight.push(send(line));
      }
      await Promise.all(inflight);
      return;
    }
    for (let i = 0; i < f.repeat && lost === undefined; i++) {
      if (i > 0 && f.repeatDelay > 0) await sleep(f.repeatDelay * 1000);
      await send(source.payload);
    }
  })();
  await Promise.race([work, lostSignal]);
  if (lost !== undefined) {
    // Stop reading a terminal or pipe nobody will publish from, or the process would stay up.
    if (source.kind === 'lines' && 'destroy' in source.stream) (source.stream as Readable).destroy();
    fail(io, f, lost);
  }
  await session.close(props.disconnect);
  if (f.json === true)
    io.stdout(
      `${JSON.stringify({ ok: true, topic, messages: sent, qos: f.qos, retain: f.retain === true, version: plan.version })}\n`,
    );
}
