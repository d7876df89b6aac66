import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { registerLabRun } from './run.js';

/** `mqtts-lab lab run`: the main job — every step, every attack, the report. */
export function registerLab(program: Command, io: CliIo): void {
  const lab = program
    .command('lab')
    .description('the whole lab: steps 1–4 brought up on loopback, attacked, and assessed (STRIDE report)');
  registerLabRun(lab, io);
}
