// The Python side of the interop test: Debian's python3-paho-mqtt 1.6.1 (the library the lab's
// Python scripts use), run as /usr/bin/python3 — the pyenv python3 on PATH has no paho.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { requireTool } from '../../helpers/brokers.js';
import { start, withTimeout } from '../../helpers/process.js';
import type { Received, Subscriber } from './peers.js';

export const PYTHON = '/usr/bin/python3';

/**
 * One peer: connect (with a client certificate when `cafile` is given), subscribe, publish once
 * when stdin says "publish", print every event as a JSON line, exit 0 once `expect` messages came
 * (3 if they did not within the timeout). paho 1.6.1 calls back with ReasonCodes under MQTT 5
 * and plain ints under 3.1.1, hence the `.value`s.
 */
const SCRIPT = String.raw`
import json, ssl, sys, threading
import paho.mqtt.client as mqtt

cfg = json.loads(sys.argv[1])
v5 = cfg["version"] == 5
done = threading.Event()
count = 0

def say(**event):
    print(json.dumps(event), flush=True)

def on_connect(client, userdata, flags, rc, properties=None):
    say(event="connack", rc=rc.value if v5 else rc)
    client.subscribe(cfg["filter"], qos=cfg["qos"])

def on_subscribe(client, userdata, mid, granted, properties=None):
    say(event="suback", granted=[g.value if v5 else g for g in granted])

def on_message(client, userdata, msg):
    global count
    count += 1
    say(event="message", topic=msg.topic, payload=msg.payload.decode("utf-8"), qos=msg.qos, retain=bool(msg.retain))
    if count >= cfg["expect"]:
        done.set()

client = mqtt.Client(client_id=cfg["clientId"], protocol=mqtt.MQTTv5 if v5 else mqtt.MQTTv311)
client.on_connect = on_connect
client.on_subscribe = on_subscribe
client.on_message = on_message
if cfg.get("cafile"):
    client.tls_set(ca_certs=cfg["cafile"], certfile=cfg["cert"], keyfile=cfg["key"], tls_version=ssl.PROTOCOL_TLS_CLIENT)
client.connect(cfg["host"], cfg["port"], keepalive=30)
client.loop_start()
for line in sys.stdin:
    if line.strip() == "publish":
        info = client.publish(cfg["topic"], cfg["payload"], qos=cfg["qos"])
        info.wait_for_publish(timeout=10)
        say(event="published", rc=info.rc)
ok = done.wait(timeout=15)
client.disconnect()
client.loop_stop()
sys.exit(0 if ok else 3)
`;

export interface PahoOptions {
  readonly name: string;
  readonly version: 4 | 5;
  readonly host: string;
  readonly port: number;
  readonly tls?: { readonly cafile: string; readonly cert: string; readonly key: string };
  readonly filter: string;
  readonly qos: 0 | 1 | 2;
  readonly expect: number;
  /** What it publishes when told to (at `qos`), if anything. */
  readonly topic?: string;
  readonly payload?: string;
}

export interface PahoPeer extends Subscriber {
  publish(): Promise<void>;
}

/** Start a paho peer and wait for its SUBACK. */
export async function pahoPeer(t: TestContext, dir: string, o: PahoOptions): Promise<PahoPeer> {
  requireTool(PYTHON);
  const script = join(dir, 'paho_peer.py');
  writeFileSync(script, SCRIPT);
  const config = {
    version: o.version,
    host: o.host,
    port: o.port,
    clientId: o.name,
    filter: o.filter,
    qos: o.qos,
    expect: o.expect,
    topic: o.topic ?? '',
    payload: o.payload ?? '',
    ...(o.tls ? { cafile: o.tls.cafile, cert: o.tls.cert, key: o.tls.key } : {}),
  };
  const p = start(t, dir, [script, JSON.stringify(config)], PYTHON);
  const events = () =>
    p
      .stdout()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const waitFor = (event: string) =>
    withTimeout(
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const check = () => {
          const e = events().find((x) => x.event === event);
          if (e) {
            p.child.stdout.off('data', check);
            resolve(e);
          }
        };
        p.child.stdout.on('data', check);
        void p.exited.then(() => reject(new Error(`paho ${o.name} exited: ${p.stderr()}`)));
        check();
      }),
      10_000,
      `paho ${o.name} to report ${event}`,
    );
  const suback = await waitFor('suback');
  if (JSON.stringify(suback.granted) !== JSON.stringify([o.qos])) {
    throw new Error(`paho ${o.name}: SUBACK ${JSON.stringify(suback.granted)}`);
  }
  const done = p.exited.then((code): Received[] => {
    if (code !== 0) throw new Error(`paho ${o.name} exited ${code}: ${p.stderr()}`);
    return events()
      .filter((e) => e.event === 'message')
      .map((e) => ({
        topic: String(e.topic),
        payload: String(e.payload),
        qos: Number(e.qos),
        retain: e.retain === true,
      }));
  });
  return {
    name: o.name,
    qos: o.qos,
    done,
    publish: async () => {
      p.child.stdin.write('publish\n');
      const published = await waitFor('published');
      if (published.rc !== 0) throw new Error(`paho ${o.name}: publish rc ${String(published.rc)}`);
    },
    // No more commands: the script now only waits for its messages.
    finish: () => p.child.stdin.end(),
  };
}
