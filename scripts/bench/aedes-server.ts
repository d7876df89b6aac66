// Aedes 1.2 as a standalone mTLS broker for the benchmark (default options, in-memory persistence):
//   node --import tsx scripts/bench/aedes-server.ts --port P --cafile F --cert F --key F [--nodelay]
// Aedes 1.x builds its broker asynchronously (Aedes.createBroker), no longer with `aedes()`.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:tls';
import { parseArgs } from 'node:util';
import { Aedes } from 'aedes';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    cafile: { type: 'string' },
    cert: { type: 'string' },
    key: { type: 'string' },
    nodelay: { type: 'boolean', default: false },
  },
  strict: true,
});
const { port, cafile, cert, key } = values;
if (!port || !cafile || !cert || !key) {
  console.error('usage: aedes-server.ts --port P --cafile F --cert F --key F [--nodelay]');
  process.exit(2);
}

const aedes = await Aedes.createBroker();
const server = createServer(
  {
    requestCert: true,
    rejectUnauthorized: true,
    ca: readFileSync(cafile),
    cert: readFileSync(cert),
    key: readFileSync(key),
    noDelay: values.nodelay,
  },
  aedes.handle,
);
server.on('tlsClientError', () => undefined); // a refused handshake is the client's problem
server.listen(Number(port), '127.0.0.1', () => console.log(`aedes listening on 127.0.0.1:${port}`));

const stop = () => {
  server.close();
  aedes.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
