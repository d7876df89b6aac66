/** The lab: its PKI, a step brought up for real (broker, capture, devices), and the whole run. */
export { type BrokerKind, brokerConf, LAB_ACL, type LabBroker, startLabBroker } from './broker.js';
export { createLabPki, type LabPki, type LabPkiOptions } from './pki.js';
export {
  type RunningStep,
  startStep,
  type StartStepOptions,
  STEP_KEY_SOURCE,
  STEP_SIGNED_READINGS,
  TOPIC,
} from './step.js';
export { type LabProgress, type LabRunOptions, runLab } from './run.js';
export {
  type AttackRun,
  type DeviceRole,
  LabSession,
  type LabSessionOptions,
  listenerOf,
  type SessionEvent,
} from './session.js';
