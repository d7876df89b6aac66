export { registerPub } from './pub.js';
export { registerSub } from './sub.js';
