/**
 * The captures the dashboard can show: the live step's, the stepN.pcap files the session (and,
 * under `lab run --ui`, the run) saved, and files named on the command line. The page names a
 * capture by an id from this list, never by a path: the server alone maps ids to bytes, so no
 * request can reach a file outside the list. Saved captures are read through the files
 * allow-list (allowedFile); command-line files are read once, when the dashboard starts.
 */
import { basename } from 'node:path';
import { isLabError } from '../core/errors.js';
import { readFileChecked } from '../core/fs.js';
import type { StepNumber } from '../core/findings.js';
import { analyzeCapture } from '../wire/analyze/index.js';
import { type KeyLog, parseKeyLog } from '../wire/tls/keylog.js';
import type { CaptureEntry } from './api.js';
import { allowedFile } from './files.js';

export type { CaptureEntry, CaptureSource } from './api.js';

/** A capture named on the command line, read and checked. */
export interface CaptureFile {
  readonly name: string;
  readonly body: Uint8Array;
  readonly format?: 'pcap' | 'pcapng';
  /** The pcap reader's coded error, when the file does not parse: shown, never thrown. */
  readonly error?: { readonly code: string; readonly message: string };
  readonly keyLog?: KeyLog;
  readonly keyLogName?: string;
}

export interface LoadedCapture {
  readonly entry: CaptureEntry;
  readonly body: Uint8Array;
  readonly keyLog?: KeyLog;
}

export interface CaptureCatalogOptions {
  readonly root: string;
  /** Where the session writes under root ('' or 'live/'); with 'live/', root holds the run's captures. */
  readonly sessionPrefix: string;
  readonly files: readonly CaptureFile[];
  /** The running step's capture so far, or undefined when no step is up. */
  readonly live: () => { step: StepNumber; body: Uint8Array } | undefined;
}

const STEPS = [1, 2, 3, 4] as const;
const ID = /^[a-z0-9-]{1,32}$/;

/**
 * Read the files given with --capture (and their --keylog). A missing file or a malformed key
 * log is thrown (ERR_FS_NOT_FOUND, ERR_KEYLOG_MALFORMED); a capture the reader refuses is kept
 * with its coded error, so the page can say why it shows nothing.
 */
export function loadCaptureFiles(
  files: readonly { readonly path: string; readonly keyLogPath?: string }[],
): CaptureFile[] {
  return files.map((f) => {
    const body = readFileChecked(f.path);
    const name = basename(f.path);
    const keyLog =
      f.keyLogPath === undefined
        ? undefined
        : parseKeyLog(readFileChecked(f.keyLogPath).toString('utf8'), basename(f.keyLogPath));
    const keys = keyLog && f.keyLogPath !== undefined ? { keyLog, keyLogName: basename(f.keyLogPath) } : {};
    try {
      const a = analyzeCapture(body, { maxMessages: 0, maxRecords: 0 });
      return { name, body, format: a.format, ...keys };
    } catch (err) {
      if (!isLabError(err)) throw err;
      return { name, body, error: { code: err.code, message: err.message }, ...keys };
    }
  });
}

export class CaptureCatalog {
  readonly #o: CaptureCatalogOptions;

  constructor(o: CaptureCatalogOptions) {
    this.#o = o;
  }

  list(): CaptureEntry[] {
    const out: CaptureEntry[] = [];
    const live = this.#o.live();
    if (live) out.push(liveEntry(live.step, live.body));
    for (const source of this.#savedSources()) {
      for (const step of STEPS) {
        const f = allowedFile(this.#o.root, this.#savedPath(source, step));
        if (f) out.push(savedEntry(source, step, f.body));
      }
    }
    this.#o.files.forEach((f, i) => out.push(fileEntry(f, i)));
    return out;
  }

  /** The capture with this id, or undefined when the list has none (whatever the id holds). */
  load(id: string): LoadedCapture | undefined {
    if (!ID.test(id)) return undefined;
    if (id === 'live') {
      const live = this.#o.live();
      return live && { entry: liveEntry(live.step, live.body), body: live.body };
    }
    const saved = /^(session|run)-step([1-4])$/.exec(id);
    if (saved) {
      const source = saved[1] as 'session' | 'run';
      const step = Number(saved[2]) as StepNumber;
      if (!this.#savedSources().includes(source)) return undefined;
      const f = allowedFile(this.#o.root, this.#savedPath(source, step));
      return f && { entry: savedEntry(source, step, f.body), body: f.body };
    }
    const file = /^file-([1-9][0-9]{0,3})$/.exec(id);
    if (file) {
      const i = Number(file[1]) - 1;
      const f = this.#o.files[i];
      return f && { entry: fileEntry(f, i), body: f.body, ...(f.keyLog && { keyLog: f.keyLog }) };
    }
    return undefined;
  }

  #savedSources(): ('session' | 'run')[] {
    return this.#o.sessionPrefix === '' ? ['session'] : ['session', 'run'];
  }

  #savedPath(source: 'session' | 'run', step: StepNumber): string {
    return `${source === 'session' ? this.#o.sessionPrefix : ''}step${step}.pcap`;
  }
}

function liveEntry(step: StepNumber, body: Uint8Array): CaptureEntry {
  return {
    id: 'live',
    source: 'live',
    name: `step${step}-live.pcap`,
    step,
    format: 'pcap',
    bytes: body.length,
    keyLog: false,
  };
}

function savedEntry(source: 'session' | 'run', step: StepNumber, body: Uint8Array): CaptureEntry {
  return {
    id: `${source}-step${step}`,
    source,
    name: `step${step}.pcap`,
    step,
    format: 'pcap',
    bytes: body.length,
    keyLog: false,
  };
}

function fileEntry(f: CaptureFile, i: number): CaptureEntry {
  return {
    id: `file-${i + 1}`,
    source: 'file',
    name: f.name,
    ...(f.format && { format: f.format }),
    bytes: f.body.length,
    keyLog: f.keyLog !== undefined,
    ...(f.error && { error: f.error }),
  };
}
