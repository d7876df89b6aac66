import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { registerAnalyze } from './analyze.js';
import { registerLive } from './live.js';
import { registerRecord } from './record.js';

/** `mqtts-lab capture analyze|record|live`: the wire as an eavesdropper sees it. */
export function registerCapture(program: Command, io: CliIo): void {
  const capture = program
    .command('capture')
    .description("captures: record the wire (relay or tshark) and show the eavesdropper's view of it");
  registerAnalyze(capture, io);
  registerRecord(capture, io);
  registerLive(capture, io);
}
