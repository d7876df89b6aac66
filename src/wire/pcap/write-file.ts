import { writeFileAtomic } from '../../core/fs.js';
import { parseOptions, z } from '../../core/options.js';
import type { CaptureFormat, PacketToWrite } from './packet.js';
import { encodePcap } from './pcap-writer.js';
import { encodePcapng } from './pcapng-writer.js';

const schema = z.strictObject({
  /** From the file name when absent: `.pcapng` → pcapng, anything else → pcap. */
  format: z.enum(['pcap', 'pcapng']).optional(),
  overwrite: z.boolean().default(false),
  linkType: z.number().int().min(0).max(0xffff).optional(),
  ifName: z.string().min(1).max(256).optional(),
});
export type WriteCaptureOptions = z.input<typeof schema>;

/**
 * Write packets as a capture file, atomically (core/fs: temporary file, fsync, rename), so a
 * reader never sees half a file. An existing file is ERR_FS_EXISTS unless `overwrite`.
 * Mode 0600: a capture of plain MQTT holds passwords and payloads in clear.
 */
export function writeCaptureFile(
  path: string,
  packets: Iterable<PacketToWrite>,
  options: WriteCaptureOptions = {},
): CaptureFormat {
  const o = parseOptions(schema, options, 'writeCaptureFile');
  const format = o.format ?? (path.toLowerCase().endsWith('.pcapng') ? 'pcapng' : 'pcap');
  const linkType = o.linkType === undefined ? {} : { linkType: o.linkType };
  const bytes =
    format === 'pcapng'
      ? encodePcapng(packets, { ...linkType, ...(o.ifName === undefined ? {} : { ifName: o.ifName }) })
      : encodePcap(packets, linkType);
  writeFileAtomic(path, bytes, { overwrite: o.overwrite, mode: 0o600 });
  return format;
}
