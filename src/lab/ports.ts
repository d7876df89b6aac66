import { readFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer } from 'node:net';

/** Linux's default when /proc is not readable (net.ipv4.ip_local_port_range). */
const DEFAULT_EPHEMERAL = [32768, 60999] as const;
const LOWEST = 10_000;

/**
 * A port free on 127.0.0.1 now, for a listener that must be named before it starts (a
 * mosquitto.conf line). Chosen below the kernel's ephemeral range: ports in that range are
 * handed to outgoing connections, so a port found free there can be taken by any client
 * socket (a connection flood opens hundreds) before the broker binds it.
 */
export async function freePort(): Promise<number> {
  const [low] = ephemeralRange();
  if (low - LOWEST >= 1_000) {
    for (let i = 0; i < 50; i++) {
      const port = LOWEST + Math.floor(Math.random() * (low - LOWEST));
      if ((await bindable(port)) !== undefined) return port;
    }
  }
  const port = await bindable(0);
  if (port === undefined) throw new Error('no free port on 127.0.0.1');
  return port;
}

function ephemeralRange(): readonly [number, number] {
  try {
    const [a, b] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    if (Number.isInteger(a) && Number.isInteger(b)) return [a!, b!];
  } catch {
    // not Linux, or /proc not mounted
  }
  return DEFAULT_EPHEMERAL;
}

/** Bind and release `port` (0: any); the port bound, or undefined when it is taken. */
function bindable(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(undefined));
    srv.listen(port, '127.0.0.1', () => {
      const bound = (srv.address() as AddressInfo).port;
      srv.close(() => resolve(bound));
    });
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:`port` now (a broker that is up). */
export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
