export { SIGNATURE_ALGORITHMS, type SignatureAlgorithm, verifySignature } from './algorithms.js';
export {
  createRootCa,
  type IssuedCertificate,
  type IssuingCa,
  issueCertificate,
  serialNumber,
} from './ca.js';
export {
  certificateToPem,
  fingerprint,
  type ParsedCertificate,
  parseCertificate,
  parseCertificates,
  signCertificate,
} from './certificate.js';
export {
  crlToPem,
  type ParsedCrl,
  parseCrl,
  REVOCATION_REASONS,
  type RevocationReason,
  signCrl,
} from './crl.js';
export { assertCsrSignature, createCsr, csrToPem, type ParsedCsr, parseCsr } from './csr.js';
export { parseSan, type SanEntry } from './extensions.js';
export { describeCertificate, describeCrl, describeCsr } from './inspect.js';
export {
  generatePrivateKey,
  KEY_TYPES,
  type KeyType,
  loadPrivateKey,
  parseKeyType,
  privateKeyToPem,
} from './keys.js';
export { buildName, nameToString, parseSubject, type SubjectFields } from './names.js';
export { generateCrl } from './ops/crl.js';
export { initCa } from './ops/init.js';
export { issueIdentity } from './ops/issue.js';
export { quickstart } from './ops/quickstart.js';
export { requestCertificate } from './ops/request.js';
export { revokeCertificate } from './ops/revoke.js';
export { signRequest } from './ops/sign.js';
export { verifyCertificateFile } from './ops/verify.js';
export { resolvePassphrase } from './passphrase.js';
export { getProfile, PROFILE_NAMES, PROFILES, type ProfileName } from './profiles.js';
export { ecdsaRawToDer, keySigner, type Signer } from './signer.js';
export { DEFAULT_PKI_DIR, PkiStore } from './store/store.js';
export {
  opensslErrorFor,
  type PathValidationResult,
  VERIFY_REASONS,
  type VerifyReason,
  validatePath,
} from './validate.js';
