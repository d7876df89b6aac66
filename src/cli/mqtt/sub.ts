import { type Command, InvalidArgumentError } from 'commander';
import type { ISubscriptionMap } from 'mqtt';
import { parseSharedSubscription, validateTopicFilter } from '../../wire/mqtt/topic.js';
import type { CliIo } from '../io.js';
import { examples } from '../options.js';
import {
  addClientFlags,
  type ClientFlags,
  collect,
  normalizeFlags,
  rangeOption,
  usage,
} from './client-flags.js';
import { buildConnectionPlan } from './connection-options.js';
import { compileFormat, type CompiledFormat } from './format.js';
import { stampOf } from './message.js';
import { parseProperties } from './properties.js';
import { reasonString } from './reasons.js';
import { bytesWriter, exitWith, fail, runtimeError, warnInsecure } from './report.js';
import { openCliKeyLog } from '../keylog.js';
import { Session } from './session.js';
import { MessageGate, printMessage } from './sub-output.js';

interface SubFlags extends ClientFlags {
  topic?: string[];
  C?: number;
  W?: number;
  verbose?: boolean;
  R?: boolean;
  N?: boolean;
  filterOut?: string[];
  unsubscribe?: string[];
  E?: boolean;
  F?: CompiledFormat;
  retainedOnly?: boolean;
  removeRetained?: boolean;
  retainAsPublished?: boolean;
  pretty?: boolean;
  randomFilter?: number;
}

function formatOption(value: string): CompiledFormat {
  return compileFormat(value);
}

function chanceOption(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0.1 || n > 100)
    throw new InvalidArgumentError(`--random-filter chance must be between 0.1 and 100.0, got "${value}"`);
  return n;
}

function checkFilter(flag: string, filter: string): void {
  const shared = parseSharedSubscription(filter);
  const bad = shared === undefined ? validateTopicFilter(filter) : shared.ok ? undefined : shared.problem;
  if (bad !== undefined) usage(`${flag}: invalid topic filter "${filter}": ${bad.message}`);
}

export function registerSub(parent: Command, io: CliIo): void {
  const cmd = parent
    .command('sub')
    .description("subscribe and print MQTT messages: mosquitto_sub's flags and output, on MQTT.js");
  addClientFlags(cmd)
    .option('-t, --topic <filter>', 'topic filter to subscribe to (repeatable)', collect)
    .option('-C <count>', 'exit after this many messages', rangeOption(1, 2 ** 31))
    .option('-W <seconds>', 'exit with status 27 after this many seconds', rangeOption(1, 2 ** 31))
    .option('-v, --verbose', 'print "topic payload"')
    .option('-R', 'do not print retained (stale) messages')
    .option('-N', 'do not print an end of line after each message')
    .option('-T, --filter-out <filter>', 'do not print topics matching this filter (repeatable)', collect)
    .option('-U, --unsubscribe <filter>', 'unsubscribe from this filter (repeatable; with -c)', collect)
    .option('-E', 'exit once the subscriptions are acknowledged')
    .option(
      '-F <format>',
      'output format: %t %p %q %r %l %m %I %j %J %x %U %C %E %R %P %D %F %S, @strftime, \\escapes',
      formatOption,
    )
    .option('--retained-only', 'print retained messages only; exit at the first fresh one')
    .option('--remove-retained', 'clear each retained message received (publishes an empty retained message)')
    .option('--retain-as-published', 'MQTT 5: keep the retain flag as the publisher set it')
    .option('--pretty', 'indent %j / %J output')
    .option('--random-filter <chance>', 'print only this percentage of messages (0.1..100)', chanceOption)
    .addHelpText(
      'after',
      examples([
        'mqtts-lab sub -h localhost -t ciel -v',
        'mqtts-lab sub -p 8883 --cafile ca.crt --cert client.crt --key client.key -t ciel -d',
        "mqtts-lab sub -t 'm5go/#' -F '%I %t %p' -C 10",
        "mqtts-lab sub -t '#' --retained-only --remove-retained",
        'mqtts-lab sub -V 5 -t m5go/env -F %j -W 30',
      ]),
    )
    .action(async (raw: SubFlags) => {
      await subscribe(normalizeFlags(raw), io);
    });
}

async function subscribe(f: SubFlags, io: CliIo): Promise<void> {
  const props = parseProperties(f.property ?? [], [
    'connect',
    'subscribe',
    'unsubscribe',
    'disconnect',
    'will',
  ]);
  const plan = buildConnectionPlan(f, props, { cwd: io.cwd, pid: process.pid });
  const topics = [...(f.topic ?? []), ...(plan.urlTopic !== undefined ? [plan.urlTopic] : [])];
  if (topics.length === 0) usage('you must specify a topic to subscribe to (-t)');
  for (const t of topics) checkFilter('-t', t);
  for (const t of f.filterOut ?? []) checkFilter('-T', t);
  for (const t of f.unsubscribe ?? []) checkFilter('-U', t);
  if (f.R === true && f.retainedOnly === true) usage("combining '-R' and '--retained-only' makes no sense");
  if (f.retainAsPublished === true && plan.version !== 5) usage('--retain-as-published needs MQTT 5 (-V 5)');
  warnInsecure(io, plan);

  const debugLine = f.debug ? (l: string) => io.stdout(`${l}\n`) : undefined;
  const keyLog = openCliKeyLog(io, f.keylog);
  const opened = await Session.open(plan, 'sub', debugLine, keyLog && ((line) => keyLog.write(line)));
  if (!opened.ok) fail(io, f, opened.failure);
  const { session } = opened;
  const { client } = session;
  const write = bytesWriter(io);
  const gate = new MessageGate({
    noRetained: f.R === true,
    retainedOnly: f.retainedOnly === true,
    filterOut: f.filterOut ?? [],
    removeRetained: f.removeRetained === true,
    count: f.C ?? 0,
    chance: (f.randomFilter ?? 100) / 100,
  });
  const print = {
    verbose: f.verbose === true,
    noEol: f.N === true,
    format: f.F,
    pretty: f.pretty === true,
    json: f.json === true,
    warn: (line: string) => runtimeError(io, f, line),
  };

  const outcome = await new Promise<{ status: number; why?: string }>((settle) => {
    let timer: NodeJS.Timeout | undefined;
    const stop = (status: number, why?: string) => {
      clearTimeout(timer);
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      session.close(props.disconnect).then(
        () => settle({ status, ...(why !== undefined ? { why } : {}) }),
        () => settle({ status, ...(why !== undefined ? { why } : {}) }),
      );
    };
    const onSignal = () => stop(0);
    process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
    session.onLost((failure) => {
      clearTimeout(timer);
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      for (const line of failure.lines) runtimeError(io, f, line);
      settle({ status: failure.status, why: failure.lines[0] ?? 'connection lost' });
    });
    if (f.W !== undefined)
      timer = setTimeout(() => {
        runtimeError(io, f, 'Timed out');
        stop(27, 'timed out');
      }, f.W * 1000);

    client.on('packetreceive', (p) => {
      if (p.cmd !== 'suback') return;
      const granted = (p.granted as number[]).map(Number);
      if (f.debug) io.stdout(`Subscribed (mid: ${p.messageId}): ${granted.join(', ')}\n`);
      granted.forEach((g, i) => {
        if (g >= 0x80)
          runtimeError(io, f, `Warning: subscription to "${topics[i]}" refused: ${reasonString(g)}.`);
      });
      if (f.E === true) stop(0);
    });
    client.on('message', (topic, payload, packet) => {
      const m = {
        topic,
        payload,
        qos: packet.qos,
        retain: packet.retain,
        mid: packet.qos > 0 ? (packet.messageId ?? 0) : 0,
        ...(packet.properties !== undefined
          ? { properties: packet.properties as Record<string, unknown> }
          : {}),
      };
      const d = gate.decide(m);
      if (d.clearRetained) client.publish(topic, Buffer.alloc(0), { qos: 1, retain: true });
      if (d.print) {
        const bytes = printMessage(m, stampOf(new Date()), print);
        if (bytes.length > 0) write(bytes);
      }
      if (d.stop) stop(0);
    });

    const map: ISubscriptionMap = {};
    for (const t of topics) map[t] = { qos: f.qos, ...(f.retainAsPublished === true ? { rap: true } : {}) };
    client.subscribe(map, props.subscribe !== undefined ? { properties: props.subscribe } : {});
    for (const t of f.unsubscribe ?? [])
      client.unsubscribe(t, props.unsubscribe !== undefined ? { properties: props.unsubscribe } : {});
  });
  if (outcome.status !== 0) exitWith(outcome.status, outcome.why ?? 'failed');
}
