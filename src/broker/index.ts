export { authenticate } from './authenticate.js';
export { Broker } from './broker.js';
export {
  type BrokerConfig,
  defaultBrokerConfig,
  type ListenerConfig,
  loadMosquittoConf,
  parseMosquittoConf,
} from './config/index.js';
export type { ListenerSpec, ListenerTls, RunningListener } from './listeners/listener.js';
export { startListener } from './listeners/net.js';
export { createBrokerLogger } from './log.js';
export { type BrokerLog, type BrokerOptionsInput, type LogType } from './options.js';
export {
  hashPassword,
  loadPasswordFile,
  parsePasswordFile,
  passwordLine,
  verifyPassword,
} from './password-file.js';
export { type RunningBroker, startBroker, type StartOptions } from './start.js';
export type { AuthDecision, ConnectCredentials, Message, Peer, PeerCertificate, Transport } from './types.js';
