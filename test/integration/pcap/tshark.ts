// Running Wireshark's command-line tools as the independent oracle for the capture layer.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const SETUP = 'Run `bash scripts/setup-system.sh` (it installs tshark, which brings editcap).';

/** Fail, with the fix, when tshark or editcap is missing: the oracle must run, not be skipped. */
export function requireWiresharkTools(): void {
  for (const tool of ['tshark', 'editcap']) {
    const r = spawnSync(tool, tool === 'tshark' ? ['--version'] : ['-h'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    if (r.error !== undefined || r.status !== 0)
      assert.fail(`${tool} is not installed or does not run: the capture oracle cannot run. ${SETUP}`);
  }
}

/**
 * Run a Wireshark tool and return stdout. tshark may warn on stderr (e.g. "Running as user root"):
 * stderr is only shown when the exit status says something went wrong.
 */
export function run(tool: 'tshark' | 'editcap', args: readonly string[]): string {
  const r = spawnSync(tool, args, { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.error !== undefined) assert.fail(`${tool} did not run (${r.error.message}). ${SETUP}`);
  assert.equal(r.status, 0, `${tool} ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  return r.stdout;
}

/** Checksum validation is off by default in Wireshark (offload makes it noisy); we want it on. */
const CHECKS = ['-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE'];

/** `tshark -T fields`: one row per frame (after an optional display filter), one cell per field. */
export function fields(file: string, names: readonly string[], filter?: string): string[][] {
  const args = ['-r', file, ...CHECKS, '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a'];
  if (filter !== undefined) args.push('-Y', filter);
  for (const n of names) args.push('-e', n);
  return run('tshark', args)
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => line.split('\t'));
}

export interface FollowedStream {
  readonly stream: number;
  readonly node0: string;
  readonly node1: string;
  /** Bytes from node 0 (the side that opened the connection) and from node 1. */
  readonly fromNode0: Buffer;
  readonly fromNode1: Buffer;
}

/** `tshark -z follow,tcp,raw,N`: Wireshark's own reassembly of each stream, by stream index. */
export function followRaw(file: string, streams: readonly number[]): FollowedStream[] {
  const args = ['-r', file, '-q'];
  for (const s of streams) args.push('-z', `follow,tcp,raw,${s}`);
  const out: FollowedStream[] = [];
  for (const section of run('tshark', args)
    .split(/^Follow: tcp,raw$/m)
    .slice(1)) {
    const lines = section.split('\n');
    const node = (k: number) => lines.find((l) => l.startsWith(`Node ${k}: `))?.slice(8) ?? '';
    const stream = Number(/^Filter: tcp\.stream eq (\d+)$/m.exec(section)?.[1]);
    const data: [string[], string[]] = [[], []];
    for (const line of lines) {
      if (!/^\t?[0-9a-f]+$/.test(line)) continue;
      // Raw follow output: node 1's data is indented with a tab.
      if (line.startsWith('\t')) data[1].push(line.slice(1));
      else data[0].push(line);
    }
    out[stream] = {
      stream,
      node0: node(0),
      node1: node(1),
      fromNode0: Buffer.from(data[0].join(''), 'hex'),
      fromNode1: Buffer.from(data[1].join(''), 'hex'),
    };
  }
  return out;
}
