/** mqtts-lab as a library: the CLI and the tests call exactly these. */
export * as assess from './assess/index.js';
export * as attacks from './attacks/index.js';
export * as broker from './broker/index.js';
export * as core from './core/index.js';
export * as device from './device/index.js';
export * as lab from './lab/index.js';
export * as pki from './pki/index.js';
