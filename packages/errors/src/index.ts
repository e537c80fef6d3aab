/**
 * Typed errors shared by every patroni-kit package.
 *
 * Callers match on `code`, which is stable across releases; messages may change.
 * Every message and cause passes through {@link redact} so credentials never reach logs.
 */

export { isLeaderRole, normalizeRole } from './roles.js';
export { type PollOptions, type PollStep, pollUntil, pollValue, type SleepOptions, sleep } from './timing.js';
export { deepMerge, isObject } from './values.js';

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
    this.details =
      options.details === undefined ? undefined : (redactDeep(options.details) as Record<string, unknown>);
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

/**
 * The shape every result carries for an error (`ActionResult.error`, `MemberLive.error`, …): a stable
 * {@link ErrorCode}, the redacted message and, when there is one, the hint.
 */
export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  hint?: string;
}

/** {@link ErrorInfo} of any thrown value: our errors keep their code and hint, anything else is INTERNAL. */
export function errorInfo(err: unknown): ErrorInfo {
  if (isPatroniKitError(err))
    return { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) };
  return { code: 'INTERNAL', message: redact(err instanceof Error ? err.message : String(err)) };
}

// Secrets the process has read (config passwords, URL credentials): replaced wherever they appear, whatever
// characters they hold. Short values are left out, so a one-letter password cannot blank every "a".
const knownSecrets = new Set<string>();
const MIN_SECRET_LENGTH = 3;

/**
 * Registers a secret (a password read from a config, a URL, the environment or a file) so that
 * {@link redact} replaces it everywhere, also its URL-encoded form, whatever characters it contains.
 */
export function registerSecret(secret: unknown): void {
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) return;
  knownSecrets.add(secret);
  for (const form of [encodeURIComponent(secret), encodeURI(secret)])
    if (form !== secret) knownSecrets.add(form);
}

// user:password@host in URLs and DSNs. The password may hold any character (also `/`, `@`, space): the
// userinfo ends at the first `@` followed by a host name and then a port, a path, a delimiter or the end.
const urlUserinfo =
  /([a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:)([^\n]{0,256}?)@(?=(?:\[[0-9a-f:.]+\]|[\w.-]+)(?::\d*)?(?:[/\s,;'"`?#)}\]]|$))/gi;

const secretPatterns: Array<[RegExp, string]> = [
  // Authorization headers and tokens
  [/(authorization["']?\s*[:=]\s*["']?)(basic|bearer)?\s*[^\s"',}]+/gi, '$1$2 ***'],
  // password=..., "password": "...", PGPASSWORD=..., passwd, secret, token
  [/((?:pass(?:word|wd)?|secret|token|pgpassword)["']?\s*[:=]\s*["']?)[^\s"',}&]+/gi, '$1***'],
];

/** Replace passwords, tokens and URL credentials in `text` by `***` (and every {@link registerSecret} value). */
export function redact(text: string): string {
  let out = typeof text === 'string' ? text : String(text);
  // Longest first, so a secret that contains another one is replaced whole.
  if (knownSecrets.size > 0)
    for (const secret of [...knownSecrets].sort((a, b) => b.length - a.length))
      out = out.split(secret).join('***');
  out = out.replace(urlUserinfo, (match: string, head: string, password: string) =>
    // `http://host:8008/x@y` has a port, not a password.
    /^\d{1,5}(?:[/\s,;]|$)/.test(password) ? match : `${head}***@`,
  );
  for (const [pattern, replacement] of secretPatterns) out = out.replace(pattern, replacement);
  return out;
}

/** A URL without its `user:password@` part (whatever characters the password holds); other text unchanged. */
export function redactUrl(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)(.*)@/is.exec(url);
  // The host part holds no `@`, so the last one ends the userinfo, even when the password has `@` or `/`.
  if (!m) return redact(url);
  return redact(`${m[1]}***@${url.slice(m[0].length)}`);
}

/** A copy of `value` with every string redacted (for error details; bounded depth, cycles cut). */
export function redactDeep(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redact(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth > 32 || seen.has(value)) return '[…]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    out[k] =
      /pass(word|wd)?$|secret|token/i.test(k) && typeof v === 'string'
        ? '***'
        : redactDeep(v, depth + 1, seen);
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

/** {@link redact} plus the given secrets (e.g. passwords found in a file being linted), for one text only. */
export function redactKnown(text: string, secrets: Iterable<string>): string {
  let out = text;
  const list = [...new Set(secrets)].filter((s) => s.length >= MIN_SECRET_LENGTH);
  for (const secret of list.sort((a, b) => b.length - a.length)) {
    for (const form of new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]))
      out = out.split(form).join('***');
  }
  return redact(out);
}

/**
 * Gives a settings object a `toJSON` and a `util.inspect` view with the named properties shown as `***`, so
 * `JSON.stringify` and `console.log` of it never print a password; the values stay readable and are copied
 * by a spread as before. Registers the values as secrets.
 */
export function hideSecrets<T extends object>(target: T, ...keys: Array<keyof T & string>): T {
  for (const key of keys) registerSecret((target as Record<string, unknown>)[key]);
  const masked = function (this: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = { ...this };
    for (const key of keys) if (out[key] !== undefined) out[key] = '***';
    return out;
  };
  Object.defineProperty(target, 'toJSON', { value: masked, enumerable: false, configurable: true });
  Object.defineProperty(target, Symbol.for('nodejs.util.inspect.custom'), {
    value: masked,
    enumerable: false,
    configurable: true,
  });
  return target;
}

/** The longest delay Node's timers keep (2^31-1 ms, about 24.8 days); a larger one fires after 1 ms. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * Checks a timeout in milliseconds and returns it: a positive finite number Node's timers can keep.
 * Throws USAGE naming `name` otherwise (a "long" timeout above the limit would fail at once).
 */
export function checkTimeoutMs(ms: unknown, name: string): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0)
    throw new PatroniKitError(
      'USAGE',
      `${name} must be a positive number of milliseconds, got ${String(ms)}`,
    );
  if (ms > MAX_TIMEOUT_MS)
    throw new PatroniKitError(
      'USAGE',
      `${name} must be at most ${MAX_TIMEOUT_MS} ms (about 24.8 days), got ${String(ms)}`,
      { hint: 'Node cannot wait longer in one timer (a larger value would fire after 1 ms)' },
    );
  return ms;
}

/**
 * One request a transport made (REST or etcd), for a request log such as the VS Code output channel.
 * Never holds a credential: `url` is redacted and `error` is a {@link ErrorCode}.
 */
export interface RequestEvent {
  method: string;
  /** Origin and path, credentials redacted. */
  url: string;
  /** HTTP status, when an answer came. */
  status?: number;
  /** `unknown`: a write that may have reached the server before the connection failed. */
  outcome: 'ok' | 'error' | 'unknown';
  durationMs: number;
  /** The {@link ErrorCode} of the failure. */
  error?: string;
}

/** Receives a {@link RequestEvent} after each request; exceptions it throws are ignored. */
export type RequestListener = (e: RequestEvent) => void;

/** Calls `listener` with `event`, shielding the caller from the listener's exceptions. */
export function emitRequest(listener: RequestListener | undefined, event: RequestEvent): void {
  if (listener === undefined) return;
  try {
    listener({ ...event, url: redactUrl(event.url) });
  } catch {
    // A request log must never break the request it logs.
  }
}
