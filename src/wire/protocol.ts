/** Numbers of the Postgres v3 frontend/backend protocol. */

export const PROTOCOL_3_0 = 196608; // 3 << 16
export const SSL_REQUEST_CODE = 80877103;
export const GSSENC_REQUEST_CODE = 80877104;
export const CANCEL_REQUEST_CODE = 80877102;

/** Startup packets are small; Postgres itself refuses ones over 10,000 bytes. */
export const MAX_STARTUP_PACKET_LENGTH = 10_000;
/** Largest regular message accepted (a message length over this closes the connection). */
export const DEFAULT_MAX_MESSAGE_LENGTH = 64 * 1024 * 1024;

/** Frontend message type bytes. */
export const Frontend = {
  bind: 0x42, // B
  close: 0x43, // C
  copyData: 0x64, // d
  copyDone: 0x63, // c
  copyFail: 0x66, // f
  describe: 0x44, // D
  execute: 0x45, // E
  flush: 0x48, // H
  functionCall: 0x46, // F
  parse: 0x50, // P
  password: 0x70, // p (PasswordMessage, SASLInitialResponse, SASLResponse)
  query: 0x51, // Q
  sync: 0x53, // S
  terminate: 0x58, // X
} as const;

/** Backend message type bytes. */
export const Backend = {
  authentication: 0x52, // R
  backendKeyData: 0x4b, // K
  bindComplete: 0x32, // 2
  closeComplete: 0x33, // 3
  commandComplete: 0x43, // C
  copyData: 0x64, // d
  copyDone: 0x63, // c
  copyOutResponse: 0x48, // H
  dataRow: 0x44, // D
  emptyQueryResponse: 0x49, // I
  errorResponse: 0x45, // E
  negotiateProtocolVersion: 0x76, // v
  noData: 0x6e, // n
  noticeResponse: 0x4e, // N
  parameterDescription: 0x74, // t
  parameterStatus: 0x53, // S
  parseComplete: 0x31, // 1
  portalSuspended: 0x73, // s
  readyForQuery: 0x5a, // Z
  rowDescription: 0x54, // T
} as const;

export const Auth = {
  ok: 0,
  cleartextPassword: 3,
  md5Password: 5,
  sasl: 10,
  saslContinue: 11,
  saslFinal: 12,
} as const;

/** Transaction status byte of ReadyForQuery. */
export type TransactionStatus = 'I' | 'T' | 'E';
