import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LabError } from '../../core/errors.js';
import { EXPOSITION_CONTENT_TYPE } from './exposition.js';

export interface MetricsSpec {
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly host: string;
}

export interface MetricsEndpoint {
  readonly host: string;
  /** The bound port. */
  readonly port: number;
  close(): Promise<void>;
}

/** Enough for a few scrapers; the endpoint is not meant for the public. */
const MAX_CONNECTIONS = 16;

/**
 * The `/metrics` HTTP endpoint: GET and HEAD only, every other path is 404. It reads no
 * request body and keeps no state: each scrape renders the text anew from `render`.
 */
export async function serveMetrics(spec: MetricsSpec, render: () => string): Promise<MetricsEndpoint> {
  const server = createServer({ maxHeaderSize: 8192 }, (req, res) => respond(req, res, render));
  // A scraper that opens a socket and sends nothing (or trickles headers) is dropped.
  server.headersTimeout = 5_000;
  server.requestTimeout = 10_000;
  server.maxHeadersCount = 64;
  server.maxConnections = MAX_CONNECTIONS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(spec.port, spec.host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((err: unknown) => {
    throw new LabError(
      'ERR_BROKER_LISTEN',
      `cannot listen for metrics on ${spec.host} port ${spec.port}: ${(err as Error).message}`,
      { cause: err, details: { port: spec.port, host: spec.host } },
    );
  });
  const { port } = server.address() as AddressInfo;
  return {
    host: spec.host,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function respond(req: IncomingMessage, res: ServerResponse, render: () => string): void {
  const path = (req.url ?? '').split('?', 1)[0];
  if (path !== '/metrics') {
    send(res, 404, 'not found: the metrics are at /metrics\n');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    send(res, 405, 'method not allowed: GET or HEAD\n');
    return;
  }
  let body: string;
  try {
    body = render();
  } catch (err) {
    send(res, 500, `metrics failed: ${(err as Error).message}\n`);
    return;
  }
  res.statusCode = 200;
  res.setHeader('Content-Type', EXPOSITION_CONTENT_TYPE);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.setHeader('Cache-Control', 'no-store');
  // HEAD: the same headers, no body (node:http drops it for HEAD).
  res.end(req.method === 'HEAD' ? undefined : body);
}

function send(res: ServerResponse, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}
