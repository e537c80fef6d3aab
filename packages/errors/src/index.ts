/**
 * Typed errors shared by every patroni-kit package.
 *
 * Callers match on `code`, which is stable across releases; messages may change.
 * Every message and cause passes through {@link redact} so credentials never reach logs.
 */

/** Stable error codes. New codes may be added; existing ones never change meaning. */
export type ErrorCode =
  | 'CONNECT'
  | 'TIMEOUT'
  | 'ABORTED'
  | 'HTTP_STATUS'
  | 'AUTH'
  | 'TLS'
  | 'DECODE'
  | 'AMBIGUOUS_WRITE'
  | 'PRECHECK'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'USAGE'
  | 'CONFIG'
  | 'PREREQUISITE'
  | 'LAB'
  | 'DCS'
  | 'QUORUM'
  | 'HOST_KEY'
  | 'REMOTE'
  | 'INTERNAL';

/** Options accepted by {@link PatroniKitError}. */
export interface PatroniKitErrorOptions {
  /** HTTP status, when the error came from an HTTP answer. */
  status?: number;
  /** What the user can do about it, printed after the message. */
  hint?: string;
  /** The underlying error. Its message is redacted too. */
  cause?: unknown;
  /** Extra machine-readable facts (never secrets). */
  details?: Record<string, unknown>;
}

/** Base class of every error patroni-kit throws on purpose. */
export class PatroniKitError extends Error {
  override readonly name: string = 'PatroniKitError';
  readonly code: ErrorCode;
  readonly status: number | undefined;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: PatroniKitErrorOptions = {}) {
    super(redact(message), options.cause === undefined ? undefined : { cause: redactCause(options.cause) });
    this.code = code;
    this.status = options.status;
    this.hint = options.hint === undefined ? undefined : redact(options.hint);
    this.details = options.details;
  }

  /** A one-paragraph text for people: message, then the hint. */
  describe(): string {
    return this.hint ? `${this.message}\n  hint: ${this.hint}` : this.message;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      ...(this.status === undefined ? {} : { status: this.status }),
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

/** True when `err` is a patroni-kit error, optionally with one of the given codes (works across realms). */
export function isPatroniKitError(err: unknown, ...codes: ErrorCode[]): err is PatroniKitError {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  const isOurs = err instanceof PatroniKitError || (typeof code === 'string' && 'describe' in err);
  return isOurs && (codes.length === 0 || codes.includes(code as ErrorCode));
}

const secretPatterns: Array<[RegExp, string]> = [
  // user:password@ in URLs and DSNs
  [/([a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:)[^\s@/]*@/gi, '$1***@'],
  // Authorization headers and tokens
  [/(authorization["']?\s*[:=]\s*["']?)(basic|bearer)?\s*[^\s"',}]+/gi, '$1$2 ***'],
  // password=..., "password": "...", PGPASSWORD=..., passwd, secret, token
  [/((?:pass(?:word|wd)?|secret|token|pgpassword)["']?\s*[:=]\s*["']?)[^\s"',}&]+/gi, '$1***'],
];

/** Replace passwords, tokens and URL credentials in `text` by `***`. */
export function redact(text: string): string {
  let out = text;
  for (const [pattern, replacement] of secretPatterns) out = out.replace(pattern, replacement);
  return out;
}

function redactCause(cause: unknown): unknown {
  if (cause instanceof Error) {
    const copy = new Error(redact(cause.message));
    copy.name = cause.name;
    const code = (cause as { code?: unknown }).code;
    if (code !== undefined) (copy as Error & { code?: unknown }).code = code;
    return copy;
  }
  return typeof cause === 'string' ? redact(cause) : cause;
}

/** A message for any thrown value, for CLI output: our errors with hints, others without stack traces. */
export function describeError(err: unknown): string {
  if (isPatroniKitError(err)) return err.describe();
  if (err instanceof Error) return redact(err.message);
  return redact(String(err));
}
