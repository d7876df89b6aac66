// The eavesdropper's view: what a passive observer learns from a capture, item by item.
export {
  analyzeCapture,
  analyzeCaptureFile,
  analyzeConnection,
  type AnalyzeOptions,
  captureConnections,
} from './analyze.js';
export { renderAnalysisText } from './render-text.js';
export { formatInterval, groupRecords, MIN_PERIODIC } from './traffic.js';
export { MAX_EVIDENCE, PREVIEW_BYTES } from './bytes-view.js';
export type {
  AnalysisNote,
  BytesView,
  CaptureAnalysis,
  CertificateView,
  ConnectionAnalysis,
  ConnectionProtocol,
  ConnectionVerdict,
  Direction,
  Evidence,
  MqttPublishView,
  MqttView,
  Observation,
  ObservationItem,
  Range,
  RecordView,
  SizeGroup,
  TlsView,
  TrafficAnalysis,
  Verdict,
} from './types.js';
