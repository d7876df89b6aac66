import { readFile, readdir } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { fsError } from '../../core/fs.js';
import { parseMosquittoConf } from './parse.js';
import type { BrokerConfig, CommandLineOverrides, IncludedFile } from './types.js';
import { splitLine, trimBlanks } from './values.js';

export interface LoadOptions extends CommandLineOverrides {
  /** Where relative paths point; defaults to the process cwd, as with Mosquitto. */
  readonly baseDir?: string;
}

/**
 * Read a mosquitto.conf and the files of its `include_dir` directories. Relative paths, in the
 * file and in include_dir, are relative to `baseDir` (the cwd by default), exactly as Mosquitto
 * opens them, so the lab sheet's configuration runs unchanged from the same directory.
 */
export async function loadMosquittoConf(path: string, options: LoadOptions = {}): Promise<BrokerConfig> {
  const { baseDir = process.cwd(), ...overrides } = options;
  const file = isAbsolute(path) ? path : resolve(baseDir, path);
  const text = await readText(file);
  const includes = new Map<string, readonly IncludedFile[] | Error>();
  // include_dir is honoured only in the main file, so its lines are known before parsing.
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = splitLine(lines[i]!, file, i + 1);
    if (line?.option !== 'include_dir') continue;
    const dir = trimBlanks(line.rest);
    if (dir === '') continue;
    const abs = isAbsolute(dir) ? dir : resolve(baseDir, dir);
    if (!includes.has(abs)) includes.set(abs, await readIncludeDir(abs).catch((err: Error) => err));
  }
  return parseMosquittoConf(
    text,
    {
      file,
      baseDir,
      includeDir: (dir) => {
        const found = includes.get(dir);
        if (found === undefined) throw new Error(`${dir} was not read`);
        if (found instanceof Error) throw found;
        return found;
      },
    },
    overrides,
  );
}

async function readIncludeDir(dir: string): Promise<IncludedFile[]> {
  const names = (await readdir(dir)).filter((n) => n.length > 5 && n.endsWith('.conf')).sort(mosquittoOrder);
  const files: IncludedFile[] = [];
  for (const name of names) {
    const file = join(dir, name);
    files.push({ file, text: await readText(file) });
  }
  return files;
}

/**
 * conf.c's scmp_p(): case-insensitive first, then upper case before lower case of the same
 * letter, so 00.conf, 01.conf, A.conf, a.conf, B.conf, b.conf (mosquitto.conf(5) include_dir).
 */
export function mosquittoOrder(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    const folded = upper(ca) - upper(cb);
    if (folded !== 0) return folded;
    if (ca !== cb) return ca - cb;
  }
  return a.length - b.length;
}

const upper = (c: number): number => (c >= 97 && c <= 122 ? c - 32 : c);

/** Bytes as UTF-8; a byte-order mark is kept so that it is reported, as Mosquitto would. */
async function readText(file: string): Promise<string> {
  try {
    return new TextDecoder('utf-8', { ignoreBOM: true }).decode(await readFile(file));
  } catch (err) {
    throw fsError(err, file);
  }
}
