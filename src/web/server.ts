/**
 * The dashboard's HTTP server (node:http): the page and its bundle, a JSON API over a live lab
 * session, Server-Sent Events for readings, consoles and broker events, and an allow-listed
 * set of files (captures, certificates, reports, evidence). Listens on 127.0.0.1 unless
 * another address is asked for with allowRemote; see security.ts for the request checks.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isLabError, LabError } from '../core/errors.js';
import type { StepNumber } from '../core/findings.js';
import type { LabSession, SessionEvent } from '../lab/session.js';
import { CaptureCatalog, type CaptureFile, type LoadedCapture } from './captures.js';
import { allowedFile } from './files.js';
import {
  checkAction,
  CSRF_HEADER,
  hostAllowed,
  isLoopbackHost,
  newCsrfToken,
  securityHeaders,
} from './security.js';
import { captureSequence } from './sequence.js';
import { slotMapView } from './slots.js';
import { eavesdropperView, matrixView, stateView, withFiles } from './state.js';

export const DEFAULT_ASSETS_DIR = fileURLToPath(new URL('../../dist/dashboard/', import.meta.url));

export interface DashboardOptions {
  readonly session: LabSession;
  /** The directory whose allow-listed files are served (the run's output directory). */
  readonly root: string;
  /** Where the session writes, relative to root ('' or 'live/'): its evidence paths get this prefix. */
  readonly sessionPrefix?: string;
  /** Default 127.0.0.1. Anything outside loopback needs allowRemote. */
  readonly host?: string;
  /** Default 0: a free port. */
  readonly port?: number;
  readonly allowRemote?: boolean;
  /** The built front end (index.html, app.js, app.css); default dist/dashboard. */
  readonly assetsDir?: string;
  /** Captures named on the command line (loadCaptureFiles), offered beside the live and saved ones. */
  readonly captures?: readonly CaptureFile[];
  /** Warnings (a non-loopback bind). */
  readonly warn?: (line: string) => void;
}

export interface RunningDashboard {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The per-process token state-changing requests must carry (it is in the page). */
  readonly csrfToken: string;
  close(): Promise<void>;
}

const ASSET_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};
const MAX_BODY = 4096;

export async function startDashboard(o: DashboardOptions): Promise<RunningDashboard> {
  const host = o.host ?? '127.0.0.1';
  if (!isLoopbackHost(host) && o.allowRemote !== true) {
    throw new LabError(
      'ERR_WEB_REMOTE_BIND',
      `refusing to listen on ${host}: pass --allow-remote to serve beyond loopback`,
      {
        details: { host },
      },
    );
  }
  const token = newCsrfToken();
  const assetsDir = o.assetsDir ?? DEFAULT_ASSETS_DIR;
  const assets = loadAssets(assetsDir);
  const prefix = o.sessionPrefix ?? '';
  const session = o.session;
  const fileOf = (f: Parameters<typeof session.isOwn>[0], file: string) =>
    session.isOwn(f) ? `${prefix}${file}` : file;
  const streams = new Set<ServerResponse>();
  let port = 0;
  const catalog = new CaptureCatalog({
    root: o.root,
    sessionPrefix: prefix,
    files: o.captures ?? [],
    live: () => (session.running ? { step: session.step, body: session.running.relay.toPcap() } : undefined),
  });

  const api: Record<string, (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void> = {
    'GET /api/state': (_q, res) => json(res, 200, stateView(session)),
    'GET /api/readings': (_q, res) => json(res, 200, { step: session.step, readings: session.readings() }),
    'GET /api/consoles': (_q, res) => {
      const s = session.running;
      json(res, 200, {
        step: session.step,
        m5go: s?.target.publisher.console.lines() ?? [],
        m5stack: s?.target.subscriber.console.lines() ?? [],
      });
    },
    'GET /api/security-events': (_q, res) =>
      json(res, 200, { step: session.step, events: session.securityEvents() }),
    'GET /api/slots': (_q, res) =>
      json(res, 200, {
        step: session.step,
        ...slotMapView(session.running?.target.publisher.board.secureElement),
      }),
    'GET /api/captures': (_q, res) => json(res, 200, { step: session.step, captures: catalog.list() }),
    'GET /api/sequence': (_q, res, url) => {
      const c = chosenCapture(url);
      json(res, 200, { step: session.step, capture: c.entry, ...captureSequence(c.body) });
    },
    'GET /api/eavesdropper': (_q, res, url) => {
      const c = chosenCapture(url);
      json(res, 200, { step: session.step, capture: c.entry, ...eavesdropperView(c.body, c.keyLog) });
    },
    'GET /api/matrix': (_q, res) => json(res, 200, matrixView(session, fileOf)),
    'GET /api/capture.pcap': (_q, res, url) => {
      const c = chosenCapture(url);
      res.writeHead(200, {
        'Content-Type': c.entry.format === 'pcapng' ? 'application/x-pcapng' : 'application/vnd.tcpdump.pcap',
        'Content-Disposition': `attachment; filename="${c.entry.name.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
        'Content-Length': c.body.length,
      });
      res.end(Buffer.from(c.body.buffer, c.body.byteOffset, c.body.length));
    },
    'GET /api/events': (req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
      res.write(`retry: 2000\n\n`);
      streams.add(res);
      req.on('close', () => streams.delete(res));
    },
    'POST /api/step': async (req, res) => {
      const body = await readJson(req);
      const step = body.step;
      if (step !== 1 && step !== 2 && step !== 3 && step !== 4)
        throw badRequest('step must be 1, 2, 3 or 4', 'step');
      await session.switchStep(step as StepNumber);
      json(res, 200, stateView(session));
    },
    'POST /api/attack': async (req, res) => {
      const body = await readJson(req);
      if (typeof body.attack !== 'string') throw badRequest('attack must be a name', 'attack');
      const run = await session.runAttack(body.attack);
      json(res, 200, { ...run, findings: run.findings.map((f) => withFiles(f, fileOf)) });
    },
  };

  /** The capture a request names with ?capture=ID (default: the live step's), by id only. */
  function chosenCapture(url: URL): LoadedCapture {
    const id = url.searchParams.get('capture') ?? 'live';
    const c = catalog.load(id);
    if (c) return c;
    if (id === 'live')
      throw new LabError('ERR_LAB_SETUP', `step ${session.step} is not running`, {
        details: { step: session.step },
      });
    throw new HttpError(404, 'ERR_NOT_FOUND', 'no capture with this id: GET /api/captures lists them');
  }

  const unsubscribe = session.subscribe((e: SessionEvent) => {
    const frame = `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
    for (const res of streams) res.write(frame);
  });
  const heartbeat = setInterval(() => {
    for (const res of streams) res.write(': keep-alive\n\n');
  }, 15_000);
  heartbeat.unref();

  const server: Server = createServer((req, res) => {
    securityHeaders(res);
    void handle(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof HttpError)
        return json(res, err.status, { error: { code: err.code, message: err.message } });
      if (isLabError(err)) {
        const status =
          err.code === 'ERR_OPTIONS_INVALID' ? 400 : err.code.startsWith('ERR_PCAP_') ? 422 : 409;
        return json(res, status, { error: { code: err.code, message: err.message } });
      }
      json(res, 500, { error: { code: 'ERR_INTERNAL', message: String(err) } });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // DNS rebinding: the Host must be this server's own address.
    if (!hostAllowed(req.headers.host, { bindHost: host, port })) {
      return json(res, 421, {
        error: { code: 'ERR_HOST', message: 'Host header does not name this server' },
      });
    }
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      const refusal = checkAction(req, token);
      if (refusal)
        return json(res, refusal.status, { error: { code: 'ERR_FORBIDDEN', message: refusal.reason } });
    }
    const route = api[`${method === 'HEAD' ? 'GET' : method} ${url.pathname}`];
    if (route) return route(req, res, url);
    if (method !== 'GET' && method !== 'HEAD')
      return json(res, 405, { error: { code: 'ERR_METHOD', message: 'method not allowed' } });
    if (url.pathname === '/' || url.pathname === '/index.html') return page(res);
    if (url.pathname.startsWith('/assets/')) {
      const a = assets.get(url.pathname.slice('/assets/'.length));
      if (a) return send(res, 200, a.type, a.body);
    }
    if (url.pathname.startsWith('/files/')) {
      let rel: string;
      try {
        rel = decodeURIComponent(url.pathname.slice('/files/'.length));
      } catch {
        rel = '';
      }
      const f = allowedFile(o.root, rel);
      if (f) {
        res.setHeader(
          'Content-Disposition',
          `${f.type.startsWith('text/html') ? 'inline' : 'attachment'}; filename="${f.name}"`,
        );
        return send(res, 200, f.type, f.body);
      }
    }
    return json(res, 404, { error: { code: 'ERR_NOT_FOUND', message: 'not found' } });
  }

  function page(res: ServerResponse): void {
    const index = assets.get('index.html');
    if (index === undefined) {
      return send(
        res,
        503,
        'text/plain; charset=utf-8',
        Buffer.from('The dashboard is not built: run `npm run build`.\n'),
      );
    }
    const html = index.body.toString('utf8').replace('%CSRF_TOKEN%', token);
    send(res, 200, 'text/html; charset=utf-8', Buffer.from(html));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  port = typeof addr === 'object' && addr ? addr.port : 0;
  if (!isLoopbackHost(host)) {
    o.warn?.(
      `WARNING: the dashboard listens on ${host}:${port}, beyond loopback: anyone who reaches it can run the lab's attacks and download its captures.`,
    );
  }
  const shown = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${shown}:${port}/`,
    host,
    port,
    csrfToken: token,
    close: async () => {
      clearInterval(heartbeat);
      unsubscribe();
      for (const res of streams) res.end();
      streams.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export { CSRF_HEADER };

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const badRequest = (message: string, option: string) =>
  new HttpError(400, 'ERR_OPTIONS_INVALID', `${option}: ${message}`);

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError(413, 'ERR_TOO_LARGE', `request body over ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  try {
    const v: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch {
    throw new HttpError(400, 'ERR_OPTIONS_INVALID', 'the body is not a JSON object');
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', Buffer.from(JSON.stringify(body)));
}

function send(res: ServerResponse, status: number, type: string, body: Buffer): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': body.length });
  res.end(body);
}

/** The bundle's files, read once: only these names are ever served from it. */
function loadAssets(dir: string): Map<string, { body: Buffer; type: string }> {
  const out = new Map<string, { body: Buffer; type: string }>();
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const type = name === 'index.html' ? 'text/html; charset=utf-8' : ASSET_TYPES[extname(name)];
    if (type === undefined || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) continue;
    out.set(name, { body: readFileSync(join(dir, name)), type });
  }
  return out;
}
