import { CommanderError } from 'commander';

/**
 * `-D command identifier value` / `-D command identifier name value` (mosquitto_pub/sub's MQTT 5
 * properties). Commander hands every -D value over as one flat list, which is still
 * unambiguous: the identifier fixes how many values follow (two for user-property, else one).
 */

export type PropertyCommand = 'connect' | 'publish' | 'subscribe' | 'unsubscribe' | 'disconnect' | 'will';

type Kind = 'byte' | 'flag' | 'int16' | 'int32' | 'string' | 'binary' | 'pair';

interface PropertyInfo {
  readonly key: string;
  readonly kind: Kind;
  readonly allowed: readonly PropertyCommand[];
}

/** Which property each packet may carry, as MQTT 5.0 §2.2.2.2 and libmosquitto's property check. */
const PROPERTIES: Readonly<Record<string, PropertyInfo>> = Object.freeze({
  'payload-format-indicator': { key: 'payloadFormatIndicator', kind: 'flag', allowed: ['publish', 'will'] },
  'message-expiry-interval': { key: 'messageExpiryInterval', kind: 'int32', allowed: ['publish', 'will'] },
  'content-type': { key: 'contentType', kind: 'string', allowed: ['publish', 'will'] },
  'response-topic': { key: 'responseTopic', kind: 'string', allowed: ['publish', 'will'] },
  'correlation-data': { key: 'correlationData', kind: 'binary', allowed: ['publish', 'will'] },
  'topic-alias': { key: 'topicAlias', kind: 'int16', allowed: ['publish'] },
  'will-delay-interval': { key: 'willDelayInterval', kind: 'int32', allowed: ['will'] },
  'session-expiry-interval': {
    key: 'sessionExpiryInterval',
    kind: 'int32',
    allowed: ['connect', 'disconnect'],
  },
  'authentication-method': { key: 'authenticationMethod', kind: 'string', allowed: ['connect'] },
  'authentication-data': { key: 'authenticationData', kind: 'binary', allowed: ['connect'] },
  'request-problem-information': { key: 'requestProblemInformation', kind: 'flag', allowed: ['connect'] },
  'request-response-information': { key: 'requestResponseInformation', kind: 'flag', allowed: ['connect'] },
  'receive-maximum': { key: 'receiveMaximum', kind: 'int16', allowed: ['connect'] },
  'topic-alias-maximum': { key: 'topicAliasMaximum', kind: 'int16', allowed: ['connect'] },
  'maximum-packet-size': { key: 'maximumPacketSize', kind: 'int32', allowed: ['connect'] },
  'user-property': {
    key: 'userProperties',
    kind: 'pair',
    allowed: ['connect', 'publish', 'subscribe', 'unsubscribe', 'disconnect', 'will'],
  },
});

/** Packets whose properties MQTT.js lets a client set; PUBACK…AUTH properties it sends itself. */
const KNOWN_COMMANDS = ['connect', 'publish', 'subscribe', 'unsubscribe', 'disconnect', 'will'] as const;
const ACK_COMMANDS = ['puback', 'pubrec', 'pubrel', 'pubcomp', 'auth'];

export type PropertySet = Readonly<Partial<Record<PropertyCommand, Record<string, unknown>>>>;

function usage(message: string): never {
  throw new CommanderError(2, 'mqtts-lab.usage', message);
}

function integer(raw: string, max: number, name: string, min = 0): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max)
    usage(`${name}: value "${raw}" out of range (${min}..${max})`);
  return n;
}

function convert(info: PropertyInfo, name: string, raw: string): unknown {
  switch (info.kind) {
    case 'flag':
      return integer(raw, 1, name) === 1;
    case 'byte':
      return integer(raw, 255, name);
    case 'int16':
      return integer(raw, 0xffff, name);
    case 'int32':
      return integer(raw, 0xffffffff, name);
    case 'binary':
      return Buffer.from(raw, 'utf8');
    case 'string':
    case 'pair':
      return raw;
  }
}

/** Parse the flat -D values; `commands` are the packets this client sends. */
export function parseProperties(
  values: readonly string[],
  commands: readonly PropertyCommand[],
): PropertySet {
  const out: Partial<Record<PropertyCommand, Record<string, unknown>>> = {};
  let i = 0;
  while (i < values.length) {
    const rawCommand = values[i] ?? '';
    const name = values[i + 1];
    const command = rawCommand.toLowerCase();
    if (name === undefined) usage(`-D: not enough arguments after "${rawCommand}"`);
    const info = PROPERTIES[name];
    if (!(KNOWN_COMMANDS as readonly string[]).includes(command)) {
      if (ACK_COMMANDS.includes(command)) usage(`-D: ${name} property not supported for ${command}`);
      usage(
        `-D: invalid command "${rawCommand}" (connect, publish, subscribe, unsubscribe, disconnect, will)`,
      );
    }
    const cmd = command as PropertyCommand;
    if (info === undefined) usage(`-D: invalid property name "${name}"`);
    if (!info.allowed.includes(cmd)) usage(`-D: ${name} property not allowed for ${cmd}`);
    if (!commands.includes(cmd)) usage(`-D: this client sends no ${cmd.toUpperCase()} packet`);
    const bag = (out[cmd] ??= {});
    if (info.kind === 'pair') {
      const [key, value] = [values[i + 2], values[i + 3]];
      if (key === undefined || value === undefined) usage('-D: user-property needs a name and a value');
      const users = (bag.userProperties ??= {}) as Record<string, string | string[]>;
      const prior = users[key];
      // MQTT 5 allows the same name more than once; MQTT.js encodes an array as repeated pairs.
      users[key] = prior === undefined ? value : [...(Array.isArray(prior) ? prior : [prior]), value];
      i += 4;
    } else {
      const raw = values[i + 2];
      if (raw === undefined) usage(`-D: ${name} needs a value`);
      if (bag[info.key] !== undefined) usage(`-D: ${name} given twice for ${cmd}`);
      bag[info.key] = convert(info, name, raw);
      i += 3;
    }
  }
  for (const bag of Object.values(out)) Object.freeze(bag);
  return Object.freeze(out);
}

/** -x: 0..4294967294 seconds, or -1 / 4294967295 / ∞ for a session that never expires. */
export function parseSessionExpiry(raw: string): number {
  if (raw === '-1' || raw === '∞') return 0xffffffff;
  return integer(raw, 0xffffffff, 'session-expiry-interval');
}
