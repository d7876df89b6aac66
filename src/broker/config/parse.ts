import { isAbsolute, resolve } from 'node:path';
import { LabError, isLabError } from '../../core/errors.js';
import { parseOptions, z } from '../../core/options.js';
import { finalize } from './finalize.js';
import { lookupOption } from './options-table.js';
import { type Context, type Draft, newDraft } from './state.js';
import type { BrokerConfig, CommandLineOverrides, ConfigSource } from './types.js';
import { type Line, invalid, splitLine, unsupported } from './values.js';

const overridesSchema = z.strictObject({
  // conf.c's CMD_PORT_LIMIT.
  ports: z.array(z.number().int().min(1).max(65535)).max(10).optional(),
  verbose: z.boolean().optional(),
});

/**
 * Read Mosquitto 2.0 configuration text. Pure: no filesystem access (include_dir goes through
 * `source.includeDir`), relative paths are resolved against `source.baseDir`.
 */
export function parseMosquittoConf(
  text: string,
  source: ConfigSource,
  overrides?: CommandLineOverrides,
): BrokerConfig {
  const cli = parseOptions(overridesSchema, overrides, 'broker config overrides');
  const draft = newDraft();
  readText(draft, text, source.file, 0, source);
  return finalize(draft, source, { ports: cli.ports ?? [], verbose: cli.verbose ?? false });
}

/** Command-line only (`mqtts-lab broker -p 1883`): Mosquitto 2.0 with no configuration file. */
export function defaultBrokerConfig(overrides?: CommandLineOverrides): BrokerConfig {
  return parseMosquittoConf('', { file: '<command line>', baseDir: process.cwd() }, overrides);
}

function readText(draft: Draft, text: string, file: string, level: number, source: ConfigSource): void {
  // A fresh file starts on the default listener again (conf.c: cur_listener per file).
  let listener = draft.defaultListener;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = splitLine(lines[i]!, file, i + 1);
    if (line === undefined) continue;
    const context: Context = {
      line,
      draft,
      listener,
      level,
      resolvePath: (p) => (isAbsolute(p) ? p : resolve(source.baseDir, p)),
      warn: (message) => draft.warnings.push(`${file}:${line.line}: ${message}`),
      includeDir: (dir) => {
        for (const included of readDir(line, source, dir)) {
          readText(draft, included.text, included.file, level + 1, source);
        }
      },
    };
    dispatch(context);
    listener = context.listener;
  }
}

function dispatch(c: Context): void {
  const l = c.line;
  const found = lookupOption(l.option);
  if (found.kind === 'supported') return found.handler(c);
  if (found.kind === 'refused') throw unsupported(l, `refused: ${found.why}`);
  throw new LabError(
    'ERR_BROKER_CONFIG_UNKNOWN',
    `${l.file}:${l.line}: unknown option "${l.option}"${hint(l)}`,
    {
      details: {
        file: l.file,
        line: l.line,
        option: l.option,
        ...(found.suggestion ? { suggestion: found.suggestion } : {}),
      },
    },
  );

  function hint(line: Line): string {
    if (line.option.startsWith('#')) return ' (a comment must start at the first character of the line)';
    if (line.option.includes('\t')) return ' (Mosquitto separates words with spaces only, not tabs)';
    if (line.option.startsWith('\uFEFF')) return ' (the file starts with a byte-order mark)';
    return found.kind === 'unknown' && found.suggestion ? ` (did you mean "${found.suggestion}"?)` : '';
  }
}

function readDir(l: Line, source: ConfigSource, dir: string): readonly { file: string; text: string }[] {
  if (source.includeDir === undefined) {
    throw invalid(l, 'include_dir needs file access: load the configuration with loadMosquittoConf');
  }
  try {
    return source.includeDir(dir);
  } catch (err) {
    if (isLabError(err) && err.code.startsWith('ERR_BROKER_CONFIG')) throw err;
    throw invalid(l, `cannot read ${dir}: ${(err as Error).message}`, err);
  }
}
