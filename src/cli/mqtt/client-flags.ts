import { type Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { KEYLOG_FLAG_HELP } from '../keylog.js';
import { collect } from '../options.js';

/**
 * The flags mosquitto_pub and mosquitto_sub share (client/client_shared.c), with their short
 * names: -h is the host and -V the MQTT version here, so these commands answer --help only.
 */
export interface ClientFlags {
  host?: string;
  port?: number;
  url?: string;
  unix?: string;
  id?: string;
  idPrefix?: string;
  username?: string;
  pw?: string;
  protocolVersion?: 3 | 4 | 5;
  debug?: boolean;
  quiet?: boolean;
  keepalive: number;
  disableCleanSession?: boolean;
  sessionExpiry?: string;
  qos: 0 | 1 | 2;
  property?: string[];
  willTopic?: string;
  willPayload?: string;
  willQos: 0 | 1 | 2;
  willRetain?: boolean;
  cafile?: string;
  capath?: string;
  cert?: string;
  key?: string;
  insecure?: boolean;
  tlsVersion?: 'tlsv1.3' | 'tlsv1.2' | 'tlsv1.1';
  ciphers?: string;
  tlsAlpn?: string;
  tlsUseOsCerts?: boolean;
  keylog?: string;
  bindAddress?: string;
  nodelay?: boolean;
  json?: boolean;
}

/** A command line that parses but makes no sense: ERR_CLI_USAGE, exit status 2. */
export function usage(message: string): never {
  throw new CommanderError(2, 'mqtts-lab.usage', message);
}

export function qosOption(value: string): 0 | 1 | 2 {
  if (!/^[012]$/.test(value)) throw new InvalidArgumentError(`invalid QoS "${value}" (0, 1 or 2)`);
  return Number(value) as 0 | 1 | 2;
}

export function versionOption(value: string): 3 | 4 | 5 {
  const versions: Record<string, 3 | 4 | 5> = {
    mqttv31: 3,
    '31': 3,
    mqttv311: 4,
    '311': 4,
    mqttv5: 5,
    '5': 5,
  };
  const v = versions[value.toLowerCase()];
  if (v === undefined) throw new InvalidArgumentError(`invalid protocol version "${value}" (5, 311 or 31)`);
  return v;
}

export function rangeOption(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max)
      throw new InvalidArgumentError(`"${value}" is not a whole number from ${min} to ${max}`);
    return n;
  };
}

/** Register the shared flags on `cmd`, in mosquitto's spelling. */
export function addClientFlags(cmd: Command): Command {
  return cmd
    .helpOption('--help', 'display help for command')
    .option('-h, --host <host>', 'broker host name or IP address (default: localhost)')
    .option('-p, --port <port>', 'broker port (default: 1883, or 8883 with TLS)', rangeOption(1, 65535))
    .option('--unix <path>', 'connect through this Unix domain socket instead of -h/-p')
    .option('-L, --url <url>', 'mqtt(s)://[username[:password]@]host[:port]/topic instead of -h -p -u -P -t')
    .option('-i, --id <id>', 'client id (default: assigned by the broker)')
    .option('-I, --id-prefix <prefix>', 'client id is this prefix followed by the process id')
    .option('-u, --username <name>', 'user name')
    .option('-P, --pw <password>', 'password')
    .option(
      '-V, --protocol-version <version>',
      'MQTT version: 5, 311 or 31 (mqttv5, mqttv311, mqttv31)',
      versionOption,
    )
    .option('-d, --debug', "print each packet sent and received, as mosquitto's clients do")
    .option('--quiet', "don't print runtime errors (usage errors are still printed)")
    .option('-k, --keepalive <seconds>', 'keep alive interval, 5..65535', rangeOption(5, 65535), 60)
    .option('-c, --disable-clean-session', 'keep the session on the broker after disconnecting (needs -i)')
    .option('-x <seconds>', 'MQTT 5 session-expiry-interval; -1 for never', (v: string) => v)
    .option('-q, --qos <qos>', 'quality of service: 0, 1 or 2', qosOption, 0)
    .option(
      '-D, --property <spec...>',
      'MQTT 5 property: COMMAND IDENTIFIER VALUE or COMMAND user-property NAME VALUE',
    )
    .option('--will-topic <topic>', 'topic of the will sent if the client disconnects unexpectedly')
    .option('--will-payload <payload>', 'payload of the will')
    .option('--will-qos <qos>', 'QoS of the will', qosOption, 0)
    .option('--will-retain', 'retain the will')
    .option('--cafile <file>', 'trusted CA certificates (PEM); enables TLS')
    .option('--capath <dir>', 'directory of trusted CA certificates (PEM); enables TLS')
    .option('--cert <file>', 'client certificate (PEM) for mutual TLS')
    .option('--key <file>', 'client private key (PEM, unencrypted) for mutual TLS')
    .option('--insecure', "don't check the broker certificate's host name (prints a warning)")
    .addOption(
      new Option('--tls-version <version>', 'lowest TLS version accepted').choices([
        'tlsv1.3',
        'tlsv1.2',
        'tlsv1.1',
      ]),
    )
    .option('--ciphers <list>', 'OpenSSL cipher list for TLS 1.2 and below')
    .option('--tls-alpn <protocol>', 'ALPN protocol to offer')
    .option('--tls-use-os-certs', "trust Node's bundled root CAs as well; enables TLS")
    .option('--keylog <file>', KEYLOG_FLAG_HELP)
    .option('-A <address>', 'bind the connection to this local address')
    .option('--nodelay', "disable Nagle's algorithm")
    .option('--json', 'print results as JSON lines instead of mosquitto text');
}

/** Commander stores -x and -A under their letters; give them names. */
export function normalizeFlags<T extends ClientFlags>(raw: T & { x?: string; A?: string }): T {
  const { x, A, ...rest } = raw;
  const out = { ...rest } as T;
  if (x !== undefined) out.sessionExpiry = x;
  if (A !== undefined) out.bindAddress = A;
  return out;
}

export { collect };
