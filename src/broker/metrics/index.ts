export { EXPOSITION_CONTENT_TYPE, exposition, type MetricFamily, type Sample } from './exposition.js';
export { brokerFamilies } from './families.js';
export { type MetricsEndpoint, type MetricsSpec, serveMetrics } from './server.js';
