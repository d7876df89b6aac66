import type { Command } from 'commander';
import type { Decision, SlotInfo } from '../../hardware/atecc608b/index.js';
import { type CliIo, Output } from '../io.js';
import { addJson, examples } from '../options.js';
import { openPart } from './part.js';

const yes = (d: Decision): string => (d.allowed ? 'yes' : 'no');
const h4 = (n: number): string => `0x${n.toString(16).toUpperCase().padStart(4, '0')}`;

/** Why a slot reads or writes as it does, from the bits (policy reasons when refused). */
function why(s: SlotInfo): string {
  const parts: string[] = [];
  if (s.keyConfig.private) parts.push('private key: never read or written');
  else if (s.readable) parts.push('IsSecret=0: anyone on the bus reads it');
  if (s.write.allowed) parts.push('WriteConfig: anyone writes it');
  if (s.locked) parts.push('slot locked');
  if (!s.readable && !s.keyConfig.private && !s.read.allowed) parts.push(s.read.reason);
  return parts.join('; ');
}

export function registerMap(se: Command, io: CliIo): void {
  const cmd = se
    .command('map')
    .argument('<file>', 'part image')
    .description('the slot map: SlotConfig/KeyConfig decoded, what each command may do, lock state');
  addJson(cmd);
  cmd.addHelpText('after', examples(['mqtts-lab se map m5stack.se', 'mqtts-lab se map m5stack.se --json']));
  cmd.action(async (file: string, flags: { json?: boolean }) => {
    const out = new Output(io, flags.json === true);
    const { part, driver } = openPart(file, io);
    const c = await driver.readConfigZone(); // the map a host sees; checked against the part's own below
    const slots = part.slotMap();
    slots.forEach((s, i) => {
      if (s.slotConfig.raw !== c.slotConfig[i] || s.keyConfig.raw !== c.keyConfig[i])
        throw new Error(`slot ${i}: the bus and the image disagree`);
    });
    out.result({ locks: part.locks, slots }, () => {
      const rows = slots.map((s) => [
        String(s.slot),
        String(s.size),
        h4(s.slotConfig.raw),
        h4(s.keyConfig.raw),
        s.locked ? 'locked' : '',
        s.readable ? 'clear' : 'no',
        s.write.allowed ? 'clear' : 'no',
        s.keyConfig.private ? `${yes(s.externalSign)}/${yes(s.internalSign)}` : '—',
        s.keyConfig.private ? yes(s.ecdh) : '—',
        s.keyConfig.private ? `${yes(s.genKey)}/${yes(s.publicKey)}` : '—',
        why(s),
      ]);
      const head = [
        'slot',
        'size',
        'SlotConfig',
        'KeyConfig',
        'lock',
        'read',
        'write',
        'sign e/i',
        'ecdh',
        'genkey n/p',
        'why',
      ];
      const widths = head.map((t, i) => Math.max(t.length, ...rows.map((r) => r[i]!.length)));
      const line = (r: string[]): string =>
        r
          .map((v, i) => v.padEnd(widths[i]!))
          .join('  ')
          .trimEnd();
      const locks = part.locks;
      return [
        `config ${locks.config ? 'locked' : 'UNLOCKED'}, data/OTP ${locks.data ? 'locked' : 'UNLOCKED'}`,
        '',
        line(head),
        ...rows.map(line),
      ].join('\n');
    });
  });
}
