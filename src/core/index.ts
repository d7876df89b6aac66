export { type Clock, FixedClock, systemClock } from './clock.js';
export { ERROR_CODES, type ErrorCode, isLabError, LabError, type LabErrorOptions } from './errors.js';
export { assertAbsent, fsError, readFileChecked, type WriteFileOptions, writeFileAtomic } from './fs.js';
export { parseOptions, z } from './options.js';
export { type Rng, SeededRng, systemRng } from './rng.js';
export {
  type Evidence,
  type EvidenceKind,
  type Finding,
  type Lang,
  type Outcome,
  same,
  STEPS,
  type StepNumber,
  STRIDE_CATEGORIES,
  STRIDE_NAMES,
  type StrideCategory,
  type Text,
} from './findings.js';
