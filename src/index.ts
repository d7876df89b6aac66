/** mqtts-lab as a library: the CLI and the tests call exactly these. */
export * as broker from './broker/index.js';
export * as core from './core/index.js';
export * as pki from './pki/index.js';
