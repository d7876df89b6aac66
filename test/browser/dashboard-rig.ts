/**
 * A live lab session with the dashboard in front of it, on a free loopback port, for the
 * dashboard's HTTP and browser tests; and a raw HTTP client that can set Host and Origin (fetch
 * cannot), since those headers are what the server's checks are about.
 */
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StepNumber } from '../../src/core/findings.js';
import { LabSession } from '../../src/lab/session.js';
import { type DashboardOptions, type RunningDashboard, startDashboard } from '../../src/web/server.js';

export interface Rig {
  readonly dir: string;
  readonly session: LabSession;
  readonly dashboard: RunningDashboard;
  close(): Promise<void>;
}

export async function startRig(
  step: StepNumber,
  over: Partial<DashboardOptions> = {},
  intervalMs = 250,
): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'mqtts-lab-dashboard-'));
  const session = await LabSession.start({ out: dir, step, intervalMs, seed: 'dashboard-test' });
  let dashboard: RunningDashboard;
  try {
    dashboard = await startDashboard({ session, root: dir, ...over });
  } catch (err) {
    await session.close();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    dir,
    session,
    dashboard,
    close: async () => {
      await dashboard.close();
      await session.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
  json<T = Record<string, unknown>>(): T;
}

export function raw(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method, path, headers: { host: `127.0.0.1:${port}`, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const b = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: b,
            json: <T>() => JSON.parse(b.toString('utf8')) as T,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A POST as the page makes it: same Origin, the CSRF token, JSON. */
export function action(d: RunningDashboard, path: string, body: unknown): Promise<RawResponse> {
  return raw(
    d.port,
    'POST',
    path,
    {
      origin: `http://127.0.0.1:${d.port}`,
      'x-csrf-token': d.csrfToken,
      'content-type': 'application/json',
    },
    JSON.stringify(body),
  );
}
