// The real openssl CLI as an independent oracle for the PKI: what openssl makes we must read and
// sign, what we make openssl must accept, and both must complete mutual TLS. Certificates are
// issued on the wall clock on purpose: s_server and s_client check validity against it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { after, before, describe, type TestContext, test } from 'node:test';
import tls from 'node:tls';
import { type ErrorCode, isLabError } from '../../src/core/errors.js';
import { type Rng, systemRng } from '../../src/core/rng.js';
import { type CreatedRootCa, createRootCa, issueCertificate } from '../../src/pki/ca.js';
import { certificateToPem } from '../../src/pki/certificate.js';
import { createCsr, csrToPem, type ParsedCsr, parseCsr } from '../../src/pki/csr.js';
import { parseSan } from '../../src/pki/extensions.js';
import { generatePrivateKey, loadPrivateKey, privateKeyToPem, publicKeyPem } from '../../src/pki/keys.js';
import { buildName } from '../../src/pki/names.js';
import { PROFILES, type Profile } from '../../src/pki/profiles.js';
import { keySigner } from '../../src/pki/signer.js';
import { hasOpenssl, join, openssl, tempDir } from '../helpers/openssl.js';
import { freePort, start, waitForStdout, withTimeout } from '../helpers/process.js';

const skip = hasOpenssl() ? false : 'openssl CLI not found on PATH: the interop oracle cannot run';
const LAB = { O: 'Ciel Dupont', OU: 'iot Dupont' } as const;
const labSubj = (cn: string) => `/O=${LAB.O}/OU=${LAB.OU}/CN=${cn}`;
const labPrinted = (cn: string) => `subject=O = ${LAB.O}, OU = ${LAB.OU}, CN = ${cn}`;
const WAIT_MS = 15_000;
type Files = { key: string; cert: string };

describe('openssl interop', { skip }, () => {
  const dir = tempDir({ after }, 'mqtts-lab-interop-');
  const path = (name: string) => join(dir, name);
  const read = (name: string) => readFileSync(path(name), 'utf8');
  const put = (name: string, data: string | Uint8Array) => {
    writeFileSync(path(name), data);
    return name;
  };
  const run = (s: TemplateStringsArray, ...v: unknown[]) => openssl(argv(s, ...v), { cwd: dir });
  const ok = (s: TemplateStringsArray, ...v: unknown[]) => {
    const r = run(s, ...v);
    assert.equal(r.status, 0, `openssl ${argv(s, ...v).join(' ')} failed:\n${r.stderr}`);
    return r.stdout;
  };
  // openssl < 3.3 exits 0 even when `req -verify` fails (openssl/openssl#23771): judge by its verdict line.
  const opensslVerifiesCsr = (file: string) => {
    const r = run`req -in ${file} -verify -noout`;
    return (
      r.status === 0 && /verify OK/.test(r.stdout + r.stderr) && !/verify failure/.test(r.stdout + r.stderr)
    );
  };
  const extensionsOf = (cert: string) => x509Extensions(ok`x509 -in ${cert} -noout -text`);
  const csrOf = (file: string) => parseCsr(read(file), file);
  const cas = {} as Record<'rsa' | 'p256', CreatedRootCa>;
  const issueTo = async (
    ca: CreatedRootCa,
    csr: ParsedCsr,
    profile: Profile,
    name: string,
    rng = systemRng,
  ) => {
    const { certificate } = await issueCertificate({ ca, csr, profile, rng });
    return put(name, certificateToPem(certificate.der));
  };
  const ourCsr = async (
    cn: string,
    key = generatePrivateKey('p256'),
    sans = ['DNS:device-01.lab', 'IP:10.0.0.7'],
  ) => {
    const der = await createCsr(
      { subject: buildName({ ...LAB, CN: cn }), sans: sans.map(parseSan) },
      keySigner(await key),
    );
    return { key: await key, pem: csrToPem(der) };
  };

  before(async () => {
    cas.rsa = await createRootCa({
      subject: { C: 'FR', O: 'Ciel Lab', CN: 'Lab Root RSA' },
      keyType: 'rsa-2048',
    });
    cas.p256 = await createRootCa({
      subject: { C: 'FR', O: 'Ciel Lab', CN: 'Lab Root P-256' },
      keyType: 'p256',
    });
    for (const [k, ca] of Object.entries(cas)) put(`ca-${k}.crt`, certificateToPem(ca.certificate.der));
    // The lab sheet's two commands, verbatim; then an EC pair and a CSR asking for SANs.
    ok`genrsa -out lab.key 2048`;
    ok`req -new -key lab.key -out lab.csr -subj ${labSubj('broker')}`;
    ok`ecparam -genkey -name prime256v1 -out ec.key`;
    ok`req -new -key ec.key -out ec.csr -subj ${labSubj('device-01')}`;
    ok`req -new -key lab.key -out san.csr -subj ${labSubj('broker.lab')} -addext subjectAltName=DNS:broker.lab,IP:10.0.0.5`;
  });

  for (const k of ['rsa', 'p256'] as const) {
    test(`our ${k} root as openssl reads it: CA:TRUE and keyCertSign, both critical; strict self-verify`, () => {
      const ext = extensionsOf(`ca-${k}.crt`);
      assert.deepEqual(ext.get('Basic Constraints'), { critical: true, value: 'CA:TRUE' });
      assert.deepEqual(ext.get('Key Usage'), {
        critical: true,
        value: 'Digital Signature, Certificate Sign, CRL Sign',
      });
      assert.equal(ext.get('Authority Key Identifier')?.value, ext.get('Subject Key Identifier')?.value);
      assert.match(
        ok`verify -no-CApath -no-CAstore -x509_strict -check_ss_sig -CAfile ${`ca-${k}.crt`} ${`ca-${k}.crt`}`,
        /: OK$/m,
      );
    });
  }

  describe('CSRs made by openssl, signed by us', () => {
    const LOCAL = ['DNS:localhost', 'IP Address:127.0.0.1', 'IP Address:0:0:0:0:0:0:0:1'];
    const RSA_KU = 'Digital Signature, Key Encipherment';
    const SAN_ASKED = ['DNS:broker.lab', 'IP Address:10.0.0.5'];
    // [csr, its key, CN, key usage, SANs as broker, SANs as device (undefined: no SAN extension)]
    const CSRS = [
      ['lab.csr', 'lab.key', 'broker', RSA_KU, ['DNS:broker', ...LOCAL], undefined],
      ['ec.csr', 'ec.key', 'device-01', 'Digital Signature', ['DNS:device-01', ...LOCAL], undefined],
      ['san.csr', 'lab.key', 'broker.lab', RSA_KU, SAN_ASKED, SAN_ASKED],
    ] as const;
    const ROLE = {
      broker: { eku: 'TLS Web Server Authentication', purpose: 'sslserver', other: 'sslclient' },
      device: { eku: 'TLS Web Client Authentication', purpose: 'sslclient', other: 'sslserver' },
    } as const;
    /** openssl's own key identifier for a key (SHA-1 of the public key bits): the oracle for our SKI. */
    const opensslSki = (keyFile: string) => {
      ok`req -x509 -new -key ${keyFile} -subj /CN=ski -config /dev/null -addext subjectKeyIdentifier=hash -out ski.crt`;
      return extensionsOf('ski.crt').get('Subject Key Identifier')?.value;
    };

    for (const caKind of ['rsa', 'p256'] as const) {
      for (const [csrFile, keyFile, cn, ku, brokerSans, deviceSans] of CSRS) {
        for (const role of ['broker', 'device'] as const) {
          test(`${csrFile} as ${role} under the ${caKind} root: openssl verifies it and reads our extensions`, async () => {
            const { eku, purpose, other } = ROLE[role];
            const ca = `ca-${caKind}.crt`;
            const cert = await issueTo(
              cas[caKind],
              csrOf(csrFile),
              PROFILES[role],
              `${csrFile}.${role}.${caKind}.crt`,
            );
            assert.match(
              ok`verify -no-CApath -no-CAstore -x509_strict -purpose ${purpose} -CAfile ${ca} ${cert}`,
              /: OK$/m,
            );
            // The EKU is enforced, not decorative: the other TLS role is refused (X509_V_ERR_INVALID_PURPOSE).
            const wrong = run`verify -no-CApath -no-CAstore -purpose ${other} -CAfile ${ca} ${cert}`;
            assert.notEqual(wrong.status, 0);
            assert.match(wrong.stdout + wrong.stderr, /error 26 at 0 depth/);

            const ext = extensionsOf(cert);
            assert.deepEqual(ext.get('Basic Constraints'), { critical: true, value: 'CA:FALSE' });
            assert.deepEqual(ext.get('Key Usage'), { critical: true, value: ku });
            assert.deepEqual(ext.get('Extended Key Usage'), { critical: false, value: eku });
            assert.deepEqual(
              ext.get('Subject Alternative Name')?.value.split(', '),
              role === 'broker' ? brokerSans : deviceSans,
            );
            assert.equal(ext.get('Subject Key Identifier')?.value, opensslSki(keyFile));
            assert.equal(
              ext.get('Authority Key Identifier')?.value,
              extensionsOf(ca).get('Subject Key Identifier')?.value,
            );
            assert.equal(ok`x509 -in ${cert} -noout -subject`.trim(), labPrinted(cn));
            assert.equal(
              ok`x509 -in ${cert} -noout -issuer`.slice('issuer'.length),
              ok`x509 -in ${ca} -noout -subject`.slice('subject'.length),
            );
          });
        }
      }
    }

    test('serial numbers: the 16 random bytes drawn, as openssl reads them, different every time', async () => {
      const draws: Uint8Array[] = [];
      const recording: Rng = { bytes: (n) => draws[draws.push(systemRng.bytes(n)) - 1]! };
      const serials = new Set<bigint>();
      for (let i = 0; i < 4; i++) {
        const cert = await issueTo(cas.p256, csrOf('lab.csr'), PROFILES.broker, `serial-${i}.crt`, recording);
        assert.deepEqual(
          draws.slice(i).map((d) => d.length),
          [16],
          'one 16-byte draw per certificate',
        );
        const printed = /^serial=([0-9A-F]+)$/.exec(ok`x509 -in ${cert} -noout -serial`.trim());
        assert.ok(printed, 'openssl prints a hex serial');
        const value = BigInt(`0x${printed[1]}`);
        assert.equal(value, BigInt(`0x${Buffer.from(draws[i]!).toString('hex')}`));
        assert.ok(value > 0n && value < 1n << 128n);
        serials.add(value);
      }
      assert.equal(serials.size, 4);
    });
  });

  for (const keyType of ['rsa-2048', 'p256', 'p384'] as const) {
    test(`our ${keyType} CSR: openssl req -verify accepts it and reads subject, public key and SANs`, async () => {
      const { key, pem } = await ourCsr('device-01', generatePrivateKey(keyType));
      const file = put(`ours-${keyType}.csr`, pem);
      assert.ok(opensslVerifiesCsr(file));
      assert.equal(ok`req -in ${file} -noout -subject`.trim(), labPrinted('device-01'));
      assert.equal(ok`req -in ${file} -noout -pubkey`, publicKeyPem(key));
      assert.match(
        ok`req -in ${file} -noout -text`,
        /Subject Alternative Name: *\n *DNS:device-01\.lab, IP Address:10\.0\.0\.7\n/,
      );
    });
  }

  describe('tampered and malformed CSRs', () => {
    test('a flipped byte (in the signature, or in the signed subject) is ERR_PKI_CSR_SIGNATURE; openssl agrees', async () => {
      const inputs = [
        ['openssl RSA', read('lab.csr'), 'broker'],
        ['our P-256', (await ourCsr('device-02')).pem, 'device-02'],
      ];
      for (const [name, pem, cn] of inputs as [string, string, string][]) {
        const der = parseCsr(pem).der;
        assert.ok(opensslVerifiesCsr(put('untampered.csr', pem)));
        for (const [where, at] of [
          ['signature', der.length - 3],
          ['subject', Buffer.from(der).lastIndexOf(cn)],
        ] as const) {
          const bad = new Uint8Array(der);
          bad[at]! ^= 0xff;
          assert.equal(
            opensslVerifiesCsr(put('tampered.csr', csrToPem(bad))),
            false,
            `openssl: ${name}, ${where}`,
          );
          const csr = parseCsr(csrToPem(bad)); // still a well-formed CSR: only the proof of possession fails
          await assert.rejects(
            issueCertificate({ ca: cas.p256, csr, profile: PROFILES.device }),
            (e) => isLabError(e, 'ERR_PKI_CSR_SIGNATURE'),
            `${name}, ${where}`,
          );
        }
      }
    });

    test('garbage: PEM-level faults are ERR_PEM_MALFORMED, DER-level faults ERR_PKI_CSR_MALFORMED', () => {
      const good = csrOf('lab.csr').der;
      const caDer = cas.p256.certificate.der;
      const block = (body: string, end = 'CERTIFICATE REQUEST') =>
        `-----BEGIN CERTIFICATE REQUEST-----\n${body}-----END ${end}-----\n`;
      // [case, input, our code, whether openssl reads a request from it (null: binary, not tried)]
      const CASES: [string, string | Uint8Array, ErrorCode, boolean | null][] = [
        ['plain text, no PEM block', 'this is not a certificate request\n', 'ERR_PEM_MALFORMED', false],
        ['a CERTIFICATE block instead of a request', certificateToPem(caDer), 'ERR_PEM_MALFORMED', false],
        ['BEGIN and END labels differ', block('MAAA\n', 'CERTIFICATE'), 'ERR_PEM_MALFORMED', false],
        ['characters outside base64', block('MIIB!!!!\n'), 'ERR_PEM_MALFORMED', false],
        ['base64 cut mid-quantum', block('MIIBAAA\n'), 'ERR_PEM_MALFORMED', false],
        ['empty body', block(''), 'ERR_PEM_MALFORMED', false],
        ['random bytes in a valid PEM', csrToPem(randomBytes(96)), 'ERR_PKI_CSR_MALFORMED', false],
        [
          'a request truncated to half',
          csrToPem(good.subarray(0, good.length >> 1)),
          'ERR_PKI_CSR_MALFORMED',
          false,
        ],
        ['a certificate labelled as a request', csrToPem(caDer), 'ERR_PKI_CSR_MALFORMED', false],
        ['two requests in one file', csrToPem(good) + csrToPem(good), 'ERR_PKI_CSR_MALFORMED', true],
        [
          'binary DER that does not parse',
          Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00),
          'ERR_PKI_CSR_MALFORMED',
          null,
        ],
        ['binary, neither DER nor PEM', Uint8Array.of(0xff, 0xfe, 0x00, 0x41), 'ERR_PEM_MALFORMED', null],
      ];
      for (const [name, input, code, opensslReads] of CASES) {
        assert.throws(
          () => parseCsr(input, 'garbage.csr'),
          (e) => isLabError(e, code),
          name,
        );
        if (opensslReads === null) continue;
        assert.equal(
          run`req -in ${put('garbage.csr', input)} -noout`.status === 0,
          opensslReads,
          `openssl on: ${name}`,
        );
      }
    });
  });

  describe('encrypted private keys', () => {
    for (const keyType of ['p256', 'rsa-2048'] as const) {
      test(`our ${keyType} key with a passphrase is PBES2/AES-256-CBC and opens with openssl pkey -passin`, async () => {
        const key = await generatePrivateKey(keyType);
        const file = put(`ours-enc-${keyType}.key`, privateKeyToPem(key, 'pw'));
        assert.equal(ok`pkey -in ${file} -passin pass:pw -pubout`, publicKeyPem(key));
        assert.notEqual(run`pkey -in ${file} -passin pass:wrong -noout`.status, 0);
        const asn1 = ok`asn1parse -in ${file}`;
        for (const oid of [':PBES2', ':PBKDF2', ':aes-256-cbc'])
          assert.ok(asn1.includes(oid), `asn1parse shows ${oid}`);
      });
    }

    const MADE_BY_OPENSSL = [
      [
        'PKCS#8 EC',
        'enc-ec.key',
        () =>
          ok`genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -aes256 -pass pass:pw -out enc-ec.key`,
      ],
      [
        'legacy PEM RSA',
        'enc-rsa.key',
        () => ok`genrsa -traditional -aes256 -passout pass:pw -out enc-rsa.key 2048`,
      ],
    ] as const;
    for (const [name, file, make] of MADE_BY_OPENSSL) {
      test(`openssl's encrypted ${name} key loads with the passphrase; wrong or none are told apart`, () => {
        make();
        const pem = read(file);
        assert.equal(
          publicKeyPem(loadPrivateKey(pem, file, 'pw')),
          ok`pkey -in ${file} -passin pass:pw -pubout`,
        );
        assert.throws(
          () => loadPrivateKey(pem, file, 'wrong'),
          (e) => isLabError(e, 'ERR_PKI_KEY_PASSPHRASE'),
        );
        assert.throws(
          () => loadPrivateKey(pem, file),
          (e) => isLabError(e, 'ERR_PKI_PASSPHRASE_REQUIRED'),
        );
      });
    }
  });

  describe('mutual TLS with our certificates', () => {
    // Broker: the lab sheet's openssl key and CSR; device: our P-256 key and CSR; both under our RSA root.
    // Rogue devices: under an unrelated root, and under an impostor root with our root's exact DN.
    // OpenSSL's verdict for both is X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY (20): the impostor's
    // key identifier does not match ours, so it is never taken for the issuer.
    const ROGUES = [
      { name: 'an unrelated root', subject: { O: 'Someone Else', CN: 'Other Root' }, verifyError: 20 },
      {
        name: 'a same-DN impostor root',
        subject: { C: 'FR', O: 'Ciel Lab', CN: 'Lab Root RSA' },
        verifyError: 20,
      },
    ] as const;
    const f = {
      ca: 'ca-rsa.crt',
      broker: { key: 'lab.key', cert: '' },
      device: { key: '', cert: '' },
      rogue: [] as Files[],
    };
    const deviceFiles = async (ca: CreatedRootCa, prefix: string): Promise<Files> => {
      const { key, pem } = await ourCsr('device-01', generatePrivateKey('p256'), []);
      const cert = await issueTo(ca, parseCsr(pem), PROFILES.device, `${prefix}.crt`);
      return { key: put(`${prefix}.key`, privateKeyToPem(key)), cert };
    };

    before(async () => {
      f.broker.cert = await issueTo(cas.rsa, csrOf('lab.csr'), PROFILES.broker, 'broker.crt');
      f.device = await deviceFiles(cas.rsa, 'device');
      for (const [i, r] of ROGUES.entries())
        f.rogue.push(await deviceFiles(await createRootCa({ subject: r.subject }), `rogue-${i}`));
    });

    const opensslHandshake = async (t: TestContext, device: Files, version: string) => {
      const accept = `127.0.0.1:${await freePort()}`;
      const server = start(
        t,
        dir,
        argv`s_server -accept ${accept} -naccept 1 -cert ${f.broker.cert} -key ${f.broker.key}
        -CAfile ${f.ca} -Verify 1 -verify_return_error`,
      );
      await waitForStdout(server, 'ACCEPT', WAIT_MS);
      const client = start(
        t,
        dir,
        argv`s_client -connect ${accept} ${version} -cert ${device.cert} -key ${device.key}
        -CAfile ${f.ca} -verify_return_error -verify_hostname localhost`,
      );
      client.child.stdin.end(); // EOF: s_client closes right after the handshake
      const clientStatus = await withTimeout(client.exited, WAIT_MS, 's_client to exit');
      server.child.stdin.end(); // s_server keeps running while its stdin is open
      await withTimeout(server.exited, WAIT_MS, 's_server to exit');
      return {
        clientStatus,
        client: client.stdout() + client.stderr(),
        server: server.stdout(),
        serverErr: server.stderr(),
      };
    };

    for (const version of ['-tls1_3', '-tls1_2']) {
      test(
        `s_server ⇄ s_client (${version}): both sides verify, the server sees the device subject`,
        {
          timeout: 60_000,
        },
        async (t) => {
          const r = await opensslHandshake(t, f.device, version);
          assert.equal(r.clientStatus, 0, r.client);
          assert.match(r.client, /Verify return code: 0 \(ok\)/);
          assert.match(r.client, /Verified peername: localhost/);
          assert.match(r.client, new RegExp(`New, TLSv1\\.${version.at(-1)}, Cipher is `));
          assert.match(r.server, /^Client certificate$/m, r.serverErr);
          assert.ok(r.server.includes(labPrinted('device-01')), r.server);
          assert.match(r.server, /^ +1 server accepts that finished$/m);
        },
      );

      for (const [i, rogue] of ROGUES.entries()) {
        test(
          `s_server (${version}) rejects a device certificate from ${rogue.name}`,
          {
            timeout: 60_000,
          },
          async (t) => {
            const r = await opensslHandshake(t, f.rogue[i]!, version);
            assert.match(r.serverErr, new RegExp(`verify error:num=${rogue.verifyError}:`));
            assert.doesNotMatch(r.server, /^Client certificate$/m);
            assert.match(r.server, /^ +0 server accepts that finished$/m);
            // In TLS 1.2 the client waits for the server's Finished, so it sees the alert: 48 is unknown_ca.
            // In TLS 1.3 it has finished before the server judges its certificate; the server is the judge.
            if (version === '-tls1_2') {
              assert.notEqual(r.clientStatus, 0);
              assert.match(r.client, /SSL alert number 48/);
            }
          },
        );
      }
    }

    const nodeHandshake = async (t: TestContext, device: Files) => {
      const bytes = (name: string) => readFileSync(path(name));
      const seen: { authorized?: boolean; cn?: string; clientError?: boolean } = {};
      const options = {
        key: bytes(f.broker.key),
        cert: bytes(f.broker.cert),
        ca: bytes(f.ca),
        requestCert: true,
        rejectUnauthorized: true,
      };
      const server = tls.createServer(options, (socket) => {
        Object.assign(seen, { authorized: socket.authorized, cn: socket.getPeerCertificate().subject.CN });
        socket.end('hello device\n');
      });
      server.on('tlsClientError', () => Object.assign(seen, { clientError: true }));
      t.after(() => server.close());
      await withTimeout(
        new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)),
        WAIT_MS,
        'listen',
      );
      const { port } = server.address() as AddressInfo;
      const socket = tls.connect({
        host: '127.0.0.1',
        port,
        servername: 'localhost',
        ca: bytes(f.ca),
        cert: bytes(device.cert),
        key: bytes(device.key),
      });
      t.after(() => socket.destroy());
      let received = '';
      let peer: tls.PeerCertificate | undefined;
      socket.once('secureConnect', () => {
        peer = socket.getPeerCertificate();
      });
      socket.setEncoding('utf8').on('data', (d: string) => {
        received += d;
      });
      socket.on('error', () => {}); // a refused client ends in an alert or a reset; the outcome is judged below
      await withTimeout(
        new Promise((resolve) => socket.once('close', resolve)),
        WAIT_MS,
        'the TLS client to close',
      );
      return { seen, received, authorized: socket.authorized, peer };
    };

    test(
      'Node tls (its own OpenSSL build): mutual handshake with the same broker and device files',
      {
        timeout: 30_000,
      },
      async (t) => {
        const r = await nodeHandshake(t, f.device);
        assert.deepEqual(r.seen, { authorized: true, cn: 'device-01' });
        assert.equal(r.received, 'hello device\n');
        assert.equal(r.authorized, true);
        // RFC 6125: the broker is named by its SANs: localhost and 127.0.0.1 match, another name does not.
        assert.ok(r.peer);
        assert.equal(tls.checkServerIdentity('localhost', r.peer), undefined);
        assert.equal(tls.checkServerIdentity('127.0.0.1', r.peer), undefined);
        assert.equal(
          (tls.checkServerIdentity('broker.example', r.peer) as NodeJS.ErrnoException).code,
          'ERR_TLS_CERT_ALTNAME_INVALID',
        );
      },
    );

    test(
      'Node tls: a device certificate from an unrelated root is refused by the server',
      {
        timeout: 30_000,
      },
      async (t) => {
        const r = await nodeHandshake(t, f.rogue[0]!);
        assert.deepEqual(r.seen, { clientError: true }, 'the secure-connection handler must not run');
        assert.equal(r.received, '');
      },
    );
  });
});

/** A command line as a template: literal text splits on whitespace, each `${value}` is one argument. */
function argv(strings: TemplateStringsArray, ...values: unknown[]): string[] {
  return strings.flatMap((s, i) => [
    ...s.split(/\s+/).filter(Boolean),
    ...(i < values.length ? [String(values[i])] : []),
  ]);
}

/** The extensions of `openssl x509 -text`, by name without "X509v3 ": critical flag and value lines. */
function x509Extensions(text: string): Map<string, { critical: boolean; value: string }> {
  const out = new Map<string, { critical: boolean; value: string }>();
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trim() === 'X509v3 extensions:');
  const indent = (l: string) => l.search(/\S/);
  const headerIndent = indent(lines[start + 1] ?? '');
  let current: { critical: boolean; value: string } | undefined;
  for (const line of start < 0 ? [] : lines.slice(start + 1)) {
    if (line.trim() === '' || indent(line) < headerIndent) break;
    if (indent(line) === headerIndent) {
      const m = /^(?:X509v3 )?(.+?):(\s+critical)?\s*$/.exec(line.trim());
      assert.ok(m, `unexpected extension header: ${line}`);
      current = { critical: m[2] !== undefined, value: '' };
      out.set(m[1]!, current);
    } else if (current) current.value += (current.value ? '\n' : '') + line.trim();
  }
  return out;
}
