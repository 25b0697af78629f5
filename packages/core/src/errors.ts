/**
 * Every failure Rectifier reports is a `RectifierError` with a machine-readable `code` and a
 * message naming the op, the argument, what was expected and what was given — never a silent
 * wrong answer.
 */
export const ErrorCode = {
  /** A shape is malformed: non-integer, negative or non-finite dims, or the wrong rank. */
  BadShape: 'BAD_SHAPE',
  /** Two tensors whose dims must agree do not (matmul inner dims, FFN weights, dy vs x). */
  DimMismatch: 'DIM_MISMATCH',
  /** The data length does not equal the product of the dims. */
  DataLength: 'DATA_LENGTH',
  /** The op name is not in the catalogue. */
  UnknownOp: 'UNKNOWN_OP',
  /** The op is in the catalogue, but the backend does not offer it (see `capabilities.ops`). */
  UnsupportedOp: 'UNSUPPORTED_OP',
  /** A parameter is missing, of the wrong type, NaN, or out of its valid range. */
  BadParameter: 'BAD_PARAMETER',
  /** An argument is not what the entry point takes (not a tensor, wrong count of inputs…). */
  BadArgument: 'BAD_ARGUMENT',
  /** The backend does not support this dtype (see `capabilities.dtypes`). */
  UnsupportedDtype: 'UNSUPPORTED_DTYPE',
  /** Tensors that must share a dtype do not. */
  DtypeMismatch: 'DTYPE_MISMATCH',
  /** The tensor has more elements than the backend's `capabilities.maxElements`. */
  TooLarge: 'TOO_LARGE',
  /** The input holds values the backend declared it cannot take (e.g. NaN/∞ when `nonFinite` is false). */
  UnsupportedValue: 'UNSUPPORTED_VALUE',
  /** A tensor or backend was used after `dispose()`. */
  Disposed: 'DISPOSED',
  /** A tensor's buffer was detached (transferred to a worker or another context) after the tensor was made. */
  Detached: 'DETACHED',
  /** No backend could be created, or the one asked for failed to initialise. */
  BackendUnavailable: 'BACKEND_UNAVAILABLE',
  /** The synchronous API was used on a backend that only answers asynchronously. */
  SyncUnsupported: 'SYNC_UNSUPPORTED',
  /** A worker (thread, GPU context…) failed while running the op. */
  WorkerFailure: 'WORKER_FAILURE',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ErrorDetails {
  /** The op or entry point, e.g. `'leaky_relu'`, `'matmul'`, `'tensor'`. */
  op?: string;
  /** The argument at fault, e.g. `'x'`, `'alpha'`, `'w1'`. */
  argument?: string;
  /** What was expected, in words. */
  expected?: string;
  /** What was given, in words (formatted with {@link describeValue} where it is a value). */
  received?: string;
  /** The underlying error, if any, set as the RectifierError's standard `cause`. */
  cause?: unknown;
}

export class RectifierError extends Error {
  /** Always `'RectifierError'`. */
  override readonly name = 'RectifierError';
  /** The machine-readable failure class, one of {@link ErrorCode}'s values (e.g. `'BAD_PARAMETER'`). */
  readonly code: ErrorCode;
  /** The op or entry point that failed, e.g. `'leaky_relu'`, `'matmul'`; undefined when none applies. */
  readonly op: string | undefined;
  /** The argument at fault, e.g. `'x'`, `'alpha'`; undefined when none applies. */
  readonly argument: string | undefined;
  /** What was expected, in words; undefined when not stated. */
  readonly expected: string | undefined;
  /** What was given, in words; undefined when not stated. */
  readonly received: string | undefined;

  constructor(code: ErrorCode, details: ErrorDetails, detailMessage?: string) {
    super(formatMessage(code, details, detailMessage), details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.op = details.op;
    this.argument = details.argument;
    this.expected = details.expected;
    this.received = details.received;
  }
}

function formatMessage(code: ErrorCode, d: ErrorDetails, detail: string | undefined): string {
  const where = [d.op, d.argument === undefined ? undefined : `argument '${d.argument}'`].filter(Boolean).join(': ');
  const parts: string[] = [];
  if (detail !== undefined) parts.push(detail);
  if (d.expected !== undefined) parts.push(`expected ${d.expected}`);
  if (d.received !== undefined) parts.push(`got ${d.received}`);
  return `[${code}] ${where === '' ? '' : `${where}: `}${parts.join(', ')}`;
}

/** Short, bounded description of any value for error messages. */
export function describeValue(v: unknown): string {
  try {
    return describeUnsafe(v);
  } catch {
    return 'an unreadable value (a revoked Proxy or a throwing getter)';
  }
}

/**
 * The text of a caught failure for an error message: an Error's message, anything else thrown
 * described as {@link describeValue} does (the failure itself goes into the error's `cause`).
 */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : describeValue(e);
}

function describeUnsafe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'bigint' || typeof v === 'boolean') return `${typeof v} ${String(v)}`;
  if (typeof v === 'symbol') return 'a symbol';
  if (typeof v === 'function') return 'a function';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of length ${(v as unknown as ArrayLike<number>).length}`;
  const ctor = (v as object).constructor;
  return ctor !== undefined && ctor !== Object ? `a ${ctor.name}` : 'an object';
}
