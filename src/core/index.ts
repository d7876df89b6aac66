export { type Clock, FixedClock, systemClock } from './clock.js';
export { ERROR_CODES, type ErrorCode, isLabError, LabError, type LabErrorOptions } from './errors.js';
export { assertAbsent, fsError, readFileChecked, type WriteFileOptions, writeFileAtomic } from './fs.js';
export { parseOptions, z } from './options.js';
export { type Rng, SeededRng, systemRng } from './rng.js';
