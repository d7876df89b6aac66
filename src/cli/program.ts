import { Command, CommanderError } from 'commander';
import { registerBroker } from './broker.js';
import { registerCapture } from './capture/index.js';
import { registerDevice } from './device/index.js';
import { type CliIo, formatError, processIo, VerdictFailure } from './io.js';
import { registerPub, registerSub } from './mqtt/index.js';
import { registerPasswd } from './passwd.js';
import { registerSe } from './se/index.js';
import { registerCrl } from './pki/crl.js';
import { registerInit } from './pki/init.js';
import { registerInspect } from './pki/inspect.js';
import { registerIssue } from './pki/issue.js';
import { registerQuickstart } from './pki/quickstart.js';
import { registerRequest } from './pki/request.js';
import { registerRevoke } from './pki/revoke.js';
import { registerSign } from './pki/sign.js';
import { registerVerify } from './pki/verify.js';
import { registerLab } from './lab/index.js';
import { registerDashboard } from './dashboard.js';
import { VERSION } from './version.js';

export { VERSION } from './version.js';

/** Exit statuses: 0 success, 1 failure or negative verdict, 2 usage error (pub/sub: mosquitto's). */
export const EXIT = Object.freeze({ ok: 0, failure: 1, usage: 2 });

export function buildProgram(io: CliIo): Command {
  const program = new Command('mqtts-lab')
    .description(
      'The secure IoT telemetry lab in software: PKI, mutual-TLS MQTT, devices with a secure element, attacks, evidence.',
    )
    .version(VERSION)
    // Program options only before the command name: after it, pub/sub own -V (MQTT version) and -h (host).
    .enablePositionalOptions()
    .exitOverride()
    .showSuggestionAfterError()
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
      // Usage errors are printed by run() as one coded line.
      outputError: () => {},
    });
  const pki = program
    .command('pki')
    .description('certificate authority: keys, CSRs, certificates, validation, revocation');
  for (const register of [
    registerInit,
    registerRequest,
    registerSign,
    registerIssue,
    registerInspect,
    registerVerify,
    registerRevoke,
    registerCrl,
    registerQuickstart,
  ]) {
    register(pki, io);
  }
  // mosquitto_pub / mosquitto_sub, flag for flag: top-level so lab sheets translate one-to-one.
  registerBroker(program, io);
  registerPub(program, io);
  registerSub(program, io);
  registerPasswd(program, io);
  registerSe(program, io);
  registerDevice(program, io);
  registerCapture(program, io);
  registerLab(program, io);
  registerDashboard(program, io);
  return program;
}

/** Run the CLI in process; returns the exit status instead of exiting. */
export async function run(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const program = buildProgram(io);
  const wantsJson = argv.includes('--json');
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0)
        return EXIT.ok;
      if (err.code === 'commander.help' || err.code === 'commander.executeSubCommandAsync')
        return err.exitCode;
      const message = err.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ');
      if (wantsJson) io.stdout(`${JSON.stringify({ error: { code: 'ERR_CLI_USAGE', message } })}\n`);
      else io.stderr(`mqtts-lab: ERR_CLI_USAGE: ${message}\n`);
      return EXIT.usage;
    }
    if (err instanceof VerdictFailure) return err.exitCode;
    const { line, json } = formatError(err);
    if (wantsJson) io.stdout(`${JSON.stringify(json)}\n`);
    else io.stderr(`mqtts-lab: ${line}\n`);
    return EXIT.failure;
  }
}
