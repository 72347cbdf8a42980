/**
 * The one error class of Sabot. It carries every field of a Postgres ErrorResponse, so
 * any layer can throw it and the wire layer sends it as it is. `userFault` says whether
 * the client caused it (a bad statement, bad input) and `retryable` whether trying the
 * same thing again can succeed (a lost connection, a busy store).
 */
export type Severity = 'ERROR' | 'FATAL' | 'PANIC' | 'WARNING' | 'NOTICE' | 'DEBUG' | 'INFO' | 'LOG';

export interface SabotErrorFields {
  severity?: Severity;
  detail?: string;
  hint?: string;
  /** 1-based character position in the query string the client sent. */
  position?: number;
  internalPosition?: number;
  internalQuery?: string;
  where?: string;
  schema?: string;
  table?: string;
  column?: string;
  dataType?: string;
  constraint?: string;
  userFault?: boolean;
  retryable?: boolean;
  cause?: unknown;
}

export class SabotError extends Error {
  readonly code: string;
  severity: Severity;
  detail?: string;
  hint?: string;
  position?: number;
  internalPosition?: number;
  internalQuery?: string;
  where?: string;
  schema?: string;
  table?: string;
  column?: string;
  dataType?: string;
  constraint?: string;
  readonly userFault: boolean;
  readonly retryable: boolean;

  constructor(code: string, message: string, fields: SabotErrorFields = {}) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.name = 'SabotError';
    this.code = code;
    this.severity = fields.severity ?? 'ERROR';
    this.detail = fields.detail;
    this.hint = fields.hint;
    this.position = fields.position;
    this.internalPosition = fields.internalPosition;
    this.internalQuery = fields.internalQuery;
    this.where = fields.where;
    this.schema = fields.schema;
    this.table = fields.table;
    this.column = fields.column;
    this.dataType = fields.dataType;
    this.constraint = fields.constraint;
    // Class 08 (connection), 40 (transaction rollback), 53 (resources), 57 (operator
    // intervention) and 58 (system) are not the user's fault; everything else is.
    const cls = code.slice(0, 2);
    this.userFault = fields.userFault ?? !['08', '40', '53', '57', '58', 'XX'].includes(cls);
    this.retryable = fields.retryable ?? ['08', '40', '53'].includes(cls);
  }
}

/** SQLSTATE codes used across Sabot, named as in the Postgres docs (Appendix A). */
export const SqlState = {
  successfulCompletion: '00000',
  warning: '01000',
  noActiveSqlTransaction: '25P01',
  activeSqlTransaction: '25001',
  inFailedSqlTransaction: '25P02',
  connectionException: '08000',
  sqlclientUnableToEstablishSqlconnection: '08001',
  protocolViolation: '08P01',
  featureNotSupported: '0A000',
  invalidParameterValue: '22023',
  divisionByZero: '22012',
  numericValueOutOfRange: '22003',
  invalidTextRepresentation: '22P02',
  invalidDatetimeFormat: '22007',
  datetimeFieldOverflow: '22008',
  invalidBinaryRepresentation: '22P03',
  stringDataRightTruncation: '22001',
  invalidEscapeSequence: '22025',
  intervalFieldOverflow: '22015',
  invalidTimeZoneDisplacementValue: '22009',
  characterNotInRepertoire: '22021',
  untranslatableCharacter: '22P05',
  statementTooComplex: '54001',
  invalidRegularExpression: '2201B',
  nullValueNotAllowed: '22004',
  invalidAuthorizationSpecification: '28000',
  invalidPassword: '28P01',
  syntaxError: '42601',
  undefinedTable: '42P01',
  undefinedColumn: '42703',
  undefinedFunction: '42883',
  undefinedObject: '42704',
  undefinedParameter: '42P02',
  duplicateTable: '42P07',
  duplicateColumn: '42701',
  duplicateObject: '42710',
  duplicatePreparedStatement: '42P05',
  duplicateCursor: '42P03',
  invalidSqlStatementName: '26000',
  invalidCursorName: '34000',
  ambiguousColumn: '42702',
  ambiguousFunction: '42725',
  datatypeMismatch: '42804',
  cannotCoerce: '42846',
  groupingError: '42803',
  insufficientPrivilege: '42501',
  dependentObjectsStillExist: '2BP01',
  invalidColumnReference: '42P10',
  queryCanceled: '57014',
  adminShutdown: '57P01',
  tooManyConnections: '53300',
  outOfMemory: '53200',
  insufficientResources: '53000',
  objectNotInPrerequisiteState: '55000',
  objectInUse: '55006',
  programLimitExceeded: '54000',
  internalError: 'XX000',
  undefinedSetting: '42704',
  cantChangeRuntimeParam: '55P02',
  externalRoutineException: '38000',
  wrongObjectType: '42809',
} as const;

/** Wraps anything thrown into a SabotError; unknown errors become XX000 internal errors. */
export function toSabotError(err: unknown): SabotError {
  if (err instanceof SabotError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new SabotError(SqlState.internalError, message, { userFault: false, cause: err });
}
