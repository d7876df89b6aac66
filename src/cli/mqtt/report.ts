import { type CliIo, Output, VerdictFailure } from '../io.js';
import type { ConnectionPlan } from './connection-options.js';
import type { Failure } from './failure.js';

/**
 * Runtime outcomes of pub/sub, printed the way mosquitto's clients print them: errors on
 * stderr (silenced by --quiet), debug and messages on stdout, exit status from the outcome.
 */
export interface ReportFlags {
  readonly quiet?: boolean;
  readonly json?: boolean;
}

export function runtimeError(io: CliIo, flags: ReportFlags, line: string): void {
  if (flags.quiet !== true) io.stderr(`${line}\n`);
}

/** Print why the connection failed and end the command with mosquitto's exit status. */
export function fail(io: CliIo, flags: ReportFlags, failure: Failure): never {
  if (flags.json === true)
    io.stdout(
      `${JSON.stringify({ ok: false, status: failure.status, ...failure.reason, lines: failure.lines })}\n`,
    );
  for (const line of failure.lines) runtimeError(io, flags, line);
  throw new VerdictFailure(failure.lines[0], failure.status);
}

/** End the command with a non-zero status after its message was printed. */
export function exitWith(status: number, why: string): never {
  throw new VerdictFailure(why, status);
}

/** --insecure is allowed for a lab, but never silently. */
export function warnInsecure(io: CliIo, plan: ConnectionPlan): void {
  if (!plan.insecure) return;
  new Output(io, false).warn(
    "--insecure: the broker certificate's host name is not checked; anyone holding a certificate " +
      'from a trusted CA can pose as this broker',
  );
}

export function bytesWriter(io: CliIo): (bytes: Uint8Array) => void {
  return io.stdoutBytes ?? ((b) => io.stdout(Buffer.from(b).toString('utf8')));
}
