import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { hasOpenssl, join, openssl, tempDir } from '../helpers/openssl.js';

const BIN = fileURLToPath(new URL('../../bin/mqtts-lab.js', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url)));

/** The installed binary, as a user runs it (needs `npm run build`, which `npm test` does first). */
function mqttsLab(args: readonly string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const skip = !hasOpenssl() ? 'openssl CLI not found' : !built ? 'dist/ not built: run npm run build' : false;

describe("the lab sheet's flow: students use openssl, the CA is mqtts-lab", { skip }, () => {
  test('openssl genrsa + req → pki sign → pki verify and openssl verify agree', (t) => {
    const dir = tempDir(t);
    const init = mqttsLab(
      ['pki', 'init', '--o', 'Ciel Lab', '--cn', 'Ciel Lab CA', '--key-type', 'rsa-2048', '--unencrypted'],
      dir,
    );
    assert.equal(init.status, 0, init.stderr);
    assert.match(init.stdout, /Organisation \(O\)\s+Ciel Lab/);
    assert.match(init.stdout, /Key size\s+RSA 2048/);
    assert.match(init.stderr, /warning: .*UNENCRYPTED/);

    for (const [name, subj, profile] of [
      ['dupont-broker', '/O=Ciel Dupont/OU=iot Dupont/CN=pc-dupont', 'broker'],
      ['dupont-client', '/O=Ciel Dupont/CN=localhost', 'device'],
    ] as const) {
      assert.equal(openssl(['genrsa', '-out', `${name}.key`, '2048'], { cwd: dir }).status, 0);
      assert.equal(
        openssl(['req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', subj], { cwd: dir })
          .status,
        0,
      );
      const signed = mqttsLab(['pki', 'sign', `${name}.csr`, '--profile', profile], dir);
      assert.equal(signed.status, 0, signed.stderr);
      const crt = join(dir, 'tls', `${name}.crt`);
      assert.equal(statSync(crt).mode & 0o777, 0o644);
      const purpose = profile === 'broker' ? 'server' : 'client';
      const ours = mqttsLab(['pki', 'verify', crt, '--purpose', purpose], dir);
      assert.equal(ours.status, 0, ours.stdout + ours.stderr);
      const theirs = openssl(
        ['verify', '-no-CApath', '-no-CAstore', '-purpose', `ssl${purpose}`, '-CAfile', 'tls/ca.crt', crt],
        { cwd: dir },
      );
      assert.equal(theirs.status, 0, theirs.stderr);
      // The wrong purpose: both refuse, with the same openssl error number.
      const wrong = purpose === 'server' ? 'client' : 'server';
      const oursWrong = mqttsLab(['pki', 'verify', crt, '--purpose', wrong, '--json'], dir);
      assert.equal(oursWrong.status, 1);
      const failure = JSON.parse(oursWrong.stdout).failures[0];
      const theirsWrong = openssl(
        ['verify', '-no-CApath', '-no-CAstore', '-purpose', `ssl${wrong}`, '-CAfile', 'tls/ca.crt', crt],
        { cwd: dir },
      );
      assert.notEqual(theirsWrong.status, 0);
      assert.match(
        theirsWrong.stdout + theirsWrong.stderr,
        new RegExp(`error ${failure.opensslError} at 0 depth`),
      );
    }
    const broker = mqttsLab(
      ['pki', 'verify', 'tls/dupont-broker.crt', '--purpose', 'server', '--hostname', 'pc-dupont'],
      dir,
    );
    assert.equal(broker.status, 0, broker.stdout);
  });

  test('the binary reports its version and exits 2 on usage errors', (t) => {
    const dir = tempDir(t);
    assert.match(mqttsLab(['--version'], dir).stdout, /^\d+\.\d+\.\d+\n$/);
    const bad = mqttsLab(['pki', 'sign'], dir);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^mqtts-lab: ERR_CLI_USAGE: /);
  });
});
