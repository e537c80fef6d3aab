/** Turns transport failures and HTTP answers into {@link PatroniKitError}s with stable codes and hints. */
import { PatroniKitError, redact } from '@patroni-kit/errors';
import type { ExchangeFailure, RawResponse } from './http.js';

/** What a message needs to name the request (never credentials). */
export interface RequestContext {
  method: string;
  /** Origin plus path, without credentials. */
  url: string;
  timeoutMs: number;
  /** `http:` or `https:`. */
  protocol: string;
  /** Whether credentials were configured on the client. */
  hasAuth: boolean;
}

const connectCodes = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const droppedCodes = new Set([
  'UND_ERR_SOCKET',
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
]);
const certCodes = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** True for errors raised by the TLS layer; such a request never reached Patroni's handler. */
export function isTlsError(error: unknown): boolean {
  const code = errorCode(error);
  return (
    certCodes.has(code) ||
    code.startsWith('ERR_SSL_') ||
    code.startsWith('ERR_TLS_') ||
    code === 'EPROTO' ||
    /ssl|tls|certificate/i.test(errorMessage(error))
  );
}

/** True when retrying a GET may help (the connection failed or dropped; not TLS, not a timeout). */
export function isRetryable(failure: ExchangeFailure): boolean {
  if (failure.kind !== 'error' || isTlsError(failure.error)) return false;
  const code = errorCode(failure.error);
  return connectCodes.has(code) || droppedCodes.has(code);
}

/** True when the request certainly did not reach Patroni's handler (safe to report as "not sent"). */
export function certainlyNotSent(failure: ExchangeFailure): boolean {
  if (!failure.started) return true;
  return failure.kind === 'error' && isTlsError(failure.error);
}

function tlsHint(error: unknown, ctx: RequestContext): string {
  const code = errorCode(error);
  const message = errorMessage(error);
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return 'the certificate does not name this host: connect with a host name it lists, or set tls.servername';
  if (certCodes.has(code))
    return 'trust the CA that signed restapi.certfile: ctl.cacert in the config (patroni-kit -c FILE; SDK: tls.ca) or NODE_EXTRA_CA_CERTS; -k/--insecure (SDK: tls.rejectUnauthorized: false) turns verification off';
  if (
    /wrong version number|packet length too long|http request/i.test(message) ||
    code === 'ERR_SSL_WRONG_VERSION_NUMBER'
  )
    return 'the server does not speak TLS here: use http:// (restapi.certfile is not set)';
  if (/certificate required|alert handshake failure|alert bad certificate|unknown ca/i.test(message))
    return 'the server wants a valid client certificate (restapi.verify_client): set tls.cert and tls.key';
  return `check the TLS settings of the REST API (${ctx.protocol === 'https:' ? 'restapi.certfile, restapi.cafile' : 'use https:// when restapi.certfile is set'})`;
}

/** A {@link PatroniKitError} for a failed exchange. */
export function failureToError(failure: ExchangeFailure, ctx: RequestContext): PatroniKitError {
  const where = `${ctx.method} ${ctx.url}`;
  const cause = failure.error;
  const details = { started: failure.started, method: ctx.method, url: ctx.url };
  switch (failure.kind) {
    case 'timeout':
      return new PatroniKitError('TIMEOUT', `${where}: no answer within ${ctx.timeoutMs} ms`, {
        hint: 'the member is unreachable, overloaded or blocked in a long action; raise timeoutMs if it is busy',
        cause,
        details,
      });
    case 'aborted':
      return new PatroniKitError('ABORTED', `${where}: cancelled by the caller`, { cause, details });
    case 'too-large':
      return new PatroniKitError('DECODE', `${where}: ${failure.message}`, {
        hint: 'this does not look like a Patroni REST API; check the URL (raise maxResponseBytes if it is)',
        cause,
        details,
      });
    case 'error':
      break;
  }
  const code = errorCode(cause);
  if (isTlsError(cause)) {
    return new PatroniKitError('TLS', `${where}: TLS failure: ${errorMessage(cause)}`, {
      hint: tlsHint(cause, ctx),
      cause,
      details: { ...details, errno: code },
    });
  }
  const parserError = code.startsWith('HPE_') || (cause instanceof Error && cause.name === 'HTTPParserError');
  if (
    parserError ||
    code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH' ||
    code === 'UND_ERR_HEADERS_OVERFLOW' ||
    code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE'
  ) {
    return new PatroniKitError('DECODE', `${where}: the answer is not valid HTTP (${errorMessage(cause)})`, {
      hint: 'this does not look like a Patroni REST API; check the host and port (restapi.listen)',
      cause,
      details: { ...details, errno: code },
    });
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new PatroniKitError('TIMEOUT', `${where}: no answer within ${ctx.timeoutMs} ms`, {
      cause,
      details: { ...details, errno: code },
    });
  }
  if (droppedCodes.has(code)) {
    return new PatroniKitError('CONNECT', `${where}: the connection closed before a complete answer`, {
      hint:
        ctx.protocol === 'http:'
          ? 'if the member serves HTTPS (restapi.certfile), use https://'
          : 'the member may be restarting; or it requires a client certificate (restapi.verify_client: required, TLS 1.3 reports it this way): set tls.cert and tls.key',
      cause,
      details: { ...details, errno: code },
    });
  }
  const what = code === 'UND_ERR_CONNECT_TIMEOUT' ? 'connection timed out' : errorMessage(cause) || code;
  return new PatroniKitError('CONNECT', `${where}: cannot connect (${what})`, {
    hint: 'check that Patroni runs there and that the URL matches restapi.connect_address',
    cause,
    details: { ...details, errno: code },
  });
}

/** The text Patroni sent (its message, or that of a Python HTML error page), credentials redacted. */
export function answerText(response: RawResponse): string {
  return redact(rawAnswerText(response));
}

function rawAnswerText(response: RawResponse): string {
  const text = response.body.toString('utf8');
  if (text.includes('<title>Error response</title>')) {
    const message = /<p>Message: (.*?)<\/p>/s.exec(text)?.[1]?.replace(/\.$/, '');
    return message ? unescapeHtml(message) : `${response.status} ${response.statusText}`;
  }
  const trimmed = text.trim();
  if (trimmed === '') return `${response.status} ${response.statusText}`.trim();
  return trimmed.length > 300 ? `${trimmed.slice(0, 300)}…` : trimmed;
}

function unescapeHtml(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** An AUTH error for a 401/403 answer, naming the Patroni setting to fix. */
export function accessError(response: RawResponse, ctx: RequestContext): PatroniKitError {
  const where = `${ctx.method} ${ctx.url}`;
  const text = answerText(response);
  const details = { method: ctx.method, url: ctx.url, answer: text };
  if (response.status === 401) {
    const hint = ctx.hasAuth
      ? 'use the username and password of restapi.authentication in patroni.yml (patronictl: ctl.authentication)'
      : 'this member has restapi.authentication set: pass auth: { username, password } from it';
    const what = ctx.hasAuth ? 'wrong REST API username or password' : 'credentials required';
    return new PatroniKitError('AUTH', `${where}: 401 ${text}: ${what} (restapi.authentication)`, {
      status: 401,
      hint,
      details,
    });
  }
  const hint = /certificate/.test(text)
    ? 'the member wants a client certificate (restapi.verify_client): set tls.cert and tls.key'
    : 'this address is not allowed by restapi.allowlist / allowlist_include_members';
  return new PatroniKitError('AUTH', `${where}: ${response.status} ${text}`, {
    status: response.status,
    hint,
    details,
  });
}

/** An HTTP_STATUS error for an unexpected answer to a read. */
export function statusError(response: RawResponse, ctx: RequestContext, hint?: string): PatroniKitError {
  const text = answerText(response);
  const resolvedHint =
    hint ??
    (response.status === 404 || response.status === 501
      ? 'this endpoint does not exist there: is it a Patroni REST API, and does this Patroni version have it?'
      : undefined);
  return new PatroniKitError('HTTP_STATUS', `${ctx.method} ${ctx.url}: ${response.status} ${text}`, {
    status: response.status,
    ...(resolvedHint === undefined ? {} : { hint: resolvedHint }),
    details: { method: ctx.method, url: ctx.url, answer: text },
  });
}

/** A DECODE error for an answer that is not what a Patroni member sends. */
export function decodeError(ctx: RequestContext, problem: string, response?: RawResponse): PatroniKitError {
  return new PatroniKitError('DECODE', `${ctx.method} ${ctx.url}: ${problem}`, {
    ...(response ? { status: response.status } : {}),
    hint: 'this does not look like a Patroni REST API answer; check the host and port (restapi.listen)',
    details: { method: ctx.method, url: ctx.url },
  });
}
