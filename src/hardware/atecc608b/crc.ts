/**
 * CRC-16 of the ATECC608B command protocol, a port of CryptoAuthLib's `atCRC`
 * (lib/calib/calib_command.c; SparkFun's `atca_calculate_crc` is the same routine).
 *
 * Polynomial 0x8005, register starting at 0x0000, every data byte fed least significant bit
 * first into a shift register that is not reflected, no final XOR. On the wire the CRC follows
 * the bytes it covers, low byte first (reference §3.5).
 */
export function crc16(data: Uint8Array): number {
  let register = 0;
  for (const byte of data) {
    for (let shift = 0x01; shift <= 0x80; shift <<= 1) {
      const dataBit = byte & shift ? 1 : 0;
      const crcBit = register >> 15;
      register = (register << 1) & 0xffff;
      if (dataBit !== crcBit) register ^= 0x8005;
    }
  }
  return register;
}

/** The two CRC bytes as they are sent: low byte first. */
export function crc16Le(data: Uint8Array): Uint8Array {
  const crc = crc16(data);
  return Uint8Array.of(crc & 0xff, crc >> 8);
}

/** Does `frame` end with the CRC of the bytes before it? */
export function hasValidCrc(frame: Uint8Array): boolean {
  if (frame.length < 2) return false;
  const crc = crc16(frame.subarray(0, frame.length - 2));
  return frame[frame.length - 2] === (crc & 0xff) && frame[frame.length - 1] === crc >> 8;
}
