import { LabError } from '../core/errors.js';

/** Where a command writes; injected so tests run the CLI in process. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Standard input, for commands that read it (pub -l / -s); absent when there is none. */
  readonly stdin?: NodeJS.ReadableStream;
  /** Raw bytes to stdout (sub prints payloads that need not be UTF-8); falls back to stdout. */
  readonly stdoutBytes?: (bytes: Uint8Array) => void;
}

export const processIo: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
  cwd: process.cwd(),
  // A getter: touching process.stdin opens it, which commands that never read it should not do.
  get stdin() {
    return process.stdin;
  },
  stdoutBytes: (b) => process.stdout.write(b),
};

/** One result per command: JSON on stdout with --json, text otherwise; warnings always on stderr. */
export class Output {
  constructor(
    private readonly io: CliIo,
    readonly json: boolean,
  ) {}

  warn(message: string): void {
    this.io.stderr(`mqtts-lab: warning: ${message}\n`);
  }

  result(data: unknown, text: () => string): void {
    if (this.json) this.io.stdout(`${JSON.stringify(data, jsonReplacer, 2)}\n`);
    else this.io.stdout(text().replace(/\n?$/, '\n'));
  }
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  return value;
}

/**
 * A negative verdict (a path that does not validate, a CONNACK refusal) is not an error but
 * still exits non-zero: 1 unless the command's convention says otherwise (mosquitto's clients
 * exit with the CONNACK code).
 */
export class VerdictFailure extends Error {
  constructor(
    message?: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export function formatError(err: unknown): { line: string; json: unknown } {
  if (err instanceof LabError) return { line: `${err.code}: ${err.message}`, json: { error: err.toJSON() } };
  const e = err as Error;
  return {
    line: `ERR_INTERNAL: ${e?.stack ?? String(err)}`,
    json: { error: { code: 'ERR_INTERNAL', message: String(e?.message ?? err) } },
  };
}
