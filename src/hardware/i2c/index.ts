export { FIRST_DEVICE_ADDRESS, hexAddress, LAST_DEVICE_ADDRESS } from './address.js';
export { I2cBus, type I2cBusOptions, type I2cObserver, MAX_TRANSFER_BYTES } from './bus.js';
export { realBusClock, VirtualBusClock } from './clock.js';
export {
  type BitErrorOptions,
  type FaultDirection,
  type FlipBitOptions,
  type ForceNackOptions,
  I2cFaults,
} from './faults.js';
export { formatTransactions } from './format.js';
export { I2cTap } from './tap.js';
export type { BusClock, I2cTarget } from './target.js';
export {
  bitTimeUs,
  DEFAULT_FREQUENCY_HZ,
  GENERAL_CALL_ADDRESS,
  generalCallLowUs,
  MAX_FREQUENCY_HZ,
  transferDurationUs,
} from './timing.js';
export {
  type I2cDirection,
  type I2cReadResult,
  type I2cTransaction,
  type I2cTransactionJson,
  type I2cWriteResult,
  transactionToJson,
} from './transaction.js';
export { transactionsToVcd } from './vcd.js';
