export { loadMosquittoConf, type LoadOptions } from './load.js';
export { REFUSED_OPTIONS, SUPPORTED_OPTIONS } from './options-table.js';
export { defaultBrokerConfig, parseMosquittoConf } from './parse.js';
export {
  type BrokerConfig,
  type CommandLineOverrides,
  type ConfigLocation,
  type ConfigSource,
  type IncludedFile,
  type ListenerConfig,
  LOG_TYPES,
  type LogConfig,
  type LogDest,
  type LogType,
  type MetricsConfig,
  type PersistenceConfig,
  type SecurityConfig,
  type TlsConfig,
  type TlsVersion,
} from './types.js';
