export { microsecondClock } from './clock.js';
export { CaptureRecording, type RecordingOptions } from './recording.js';
export {
  type CaptureRelay,
  type CaptureRelayOptions,
  type RelayError,
  startCaptureRelay,
  type TamperHook,
} from './relay.js';
