import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { registerFlash } from './flash.js';
import { registerRun } from './run.js';

/** `mqtts-lab device run|flash`: the M5Go publisher and the M5Stack subscriber on emulated hardware. */
export function registerDevice(program: Command, io: CliIo): void {
  const device = program
    .command('device')
    .description('devices on emulated hardware: M5Go publisher, M5Stack subscriber');
  registerRun(device, io);
  registerFlash(device, io);
}
