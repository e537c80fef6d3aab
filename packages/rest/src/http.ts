/**
 * One HTTP exchange over an undici dispatcher, with a deadline, cancellation, a body size cap, and the one
 * fact a safe write needs: whether the request may have left this process (`started`).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { MAX_TIMEOUT_MS } from '@patroni-kit/errors';
import type { Dispatcher } from 'undici';

/** HTTP methods Patroni routes. */
export type HttpMethod = 'GET' | 'HEAD' | 'OPTIONS' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What to send. */
export interface ExchangeRequest {
  origin: string;
  method: HttpMethod;
  /** Path plus query string. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Milliseconds until the exchange is abandoned. */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  maxResponseBytes: number;
}

/** A complete answer. */
export interface RawResponse {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Why an exchange ended without a complete answer. */
export type FailureKind = 'timeout' | 'aborted' | 'too-large' | 'error';

/** An exchange that ended without a complete answer. */
export class ExchangeFailure extends Error {
  override readonly name = 'ExchangeFailure';
  readonly kind: FailureKind;
  /** True once undici handed the request to a connected socket: it may have reached the server. */
  readonly started: boolean;
  readonly error: unknown;

  constructor(kind: FailureKind, started: boolean, error: unknown) {
    super(error instanceof Error ? error.message : String(error));
    this.kind = kind;
    this.started = started;
    this.error = error;
  }
}

/** Send one request and collect the whole answer; rejects with {@link ExchangeFailure} only. */
export function exchange(dispatcher: Dispatcher, request: ExchangeRequest): Promise<RawResponse> {
  return new Promise<RawResponse>((resolve, reject) => {
    let settled = false;
    let started = false;
    let controller: Dispatcher.DispatchController | undefined;
    // Set when we give up before undici handed us a controller; applied as soon as it does.
    let pendingAbort: Error | undefined;
    let status = 0;
    let statusText = '';
    let headers: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    let size = 0;

    const settle = (failure: ExchangeFailure | undefined, response?: RawResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
      if (failure) reject(failure);
      else resolve(response as RawResponse);
    };
    const giveUp = (kind: FailureKind, error: Error): void => {
      if (settled) return;
      // Settle first: aborting makes undici report its own error synchronously, which must not win.
      settle(new ExchangeFailure(kind, started, error));
      if (controller && !controller.aborted) controller.abort(error);
      else pendingAbort = error;
    };
    const onAbort = (): void => {
      const reason = request.signal?.reason;
      giveUp('aborted', reason instanceof Error ? reason : new Error('aborted by the caller'));
    };

    const timer = setTimeout(
      () => giveUp('timeout', new Error(`no complete answer within ${request.timeoutMs} ms`)),
      // the client rejects longer timeouts; this is a backstop
      Math.min(request.timeoutMs, MAX_TIMEOUT_MS),
    );
    if (request.signal?.aborted) {
      onAbort();
      return;
    }
    request.signal?.addEventListener('abort', onAbort, { once: true });

    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(ctl) {
        controller = ctl;
        if (pendingAbort !== undefined) {
          ctl.abort(pendingAbort);
          return;
        }
        started = true;
      },
      onResponseStart(_ctl, statusCode, responseHeaders, statusMessage) {
        status = statusCode;
        headers = responseHeaders;
        statusText = statusMessage ?? '';
      },
      onResponseData(_ctl, chunk) {
        size += chunk.length;
        if (size > request.maxResponseBytes) {
          giveUp('too-large', new Error(`answer larger than ${request.maxResponseBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      },
      onResponseEnd() {
        settle(undefined, { status, statusText, headers, body: Buffer.concat(chunks) });
      },
      onResponseError(_ctl, error) {
        settle(new ExchangeFailure('error', started, error));
      },
    };

    try {
      dispatcher.dispatch(
        {
          origin: request.origin,
          path: request.path,
          method: request.method,
          headers: request.headers,
          body: request.body ?? null,
          // Our own timer is the deadline; undici's are set to the same bound as a backstop.
          headersTimeout: Math.min(request.timeoutMs, MAX_TIMEOUT_MS),
          bodyTimeout: Math.min(request.timeoutMs, MAX_TIMEOUT_MS),
        },
        handler,
      );
    } catch (error) {
      settle(new ExchangeFailure('error', false, error));
    }
  });
}
