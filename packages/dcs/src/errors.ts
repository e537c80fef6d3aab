/** Turns etcd3/grpc-js failures into {@link PatroniKitError}s that name the problem and the fix. */
import { isPatroniKitError, PatroniKitError } from '@patroni-kit/errors';

/** Context for {@link toDcsError}. */
export interface ErrorContext {
  /** What we were doing, e.g. `reading /service/demo/`. */
  op: string;
  endpoints: readonly string[];
}

function errText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** True when the error means "authentication token expired or invalid" (watch must re-authenticate). */
export function isAuthTokenError(err: unknown): boolean {
  const text = isPatroniKitError(err) ? `${err.message} ${String(err.details?.etcd ?? '')}` : errText(err);
  return /invalid auth token|auth token is expired|ErrInvalidAuthToken|user name is empty/i.test(text);
}

/** True for the watch cancellation etcd sends when the start revision was compacted away. */
export function isCompactionError(err: unknown): boolean {
  return /compact/i.test(
    isPatroniKitError(err) ? `${err.message} ${String(err.details?.etcd ?? '')}` : errText(err),
  );
}

/** Maps any error thrown by the etcd client to a typed error. Our own errors pass through unchanged. */
export function toDcsError(err: unknown, ctx: ErrorContext): PatroniKitError {
  if (isPatroniKitError(err)) return err as PatroniKitError;
  const name = err instanceof Error ? err.constructor.name : '';
  const text = errText(err);
  const where = ctx.endpoints.join(', ');
  const details = { etcd: text, endpoints: [...ctx.endpoints] };
  const base = { cause: err, details };
  if (name === 'EtcdAuthenticationFailedError' || /authentication failed/i.test(text)) {
    return new PatroniKitError('AUTH', `etcd rejected the user name or password while ${ctx.op}`, {
      ...base,
      hint: 'Check etcd3.username/password in the config (or --dcs-url user:password@host).',
    });
  }
  if (/user name is empty/i.test(text)) {
    return new PatroniKitError('AUTH', `etcd at ${where} requires authentication (while ${ctx.op})`, {
      ...base,
      hint: 'Give etcd3.username and etcd3.password in the config.',
    });
  }
  if (name === 'EtcdPermissionDeniedError' || /permission denied/i.test(text)) {
    return new PatroniKitError('AUTH', `etcd denied permission while ${ctx.op}`, {
      ...base,
      hint: 'Grant the etcd user a role with read (and, for writes, readwrite) permission on the key prefix.',
    });
  }
  if (name === 'EtcdInvalidAuthTokenError' || /invalid auth token/i.test(text)) {
    return new PatroniKitError('AUTH', `etcd auth token expired or invalid while ${ctx.op}`, {
      ...base,
      hint: 'Retry; the client re-authenticates.',
    });
  }
  if (/certificate|SSL|TLS|self.signed|handshake|wrong version number/i.test(text)) {
    return new PatroniKitError('TLS', `TLS failed talking to etcd at ${where} while ${ctx.op}`, {
      ...base,
      hint: 'Check https:// in the endpoints, the CA (etcd3.cacert) and the client certificate (etcd3.cert/key).',
    });
  }
  if (
    /Received HTTP status code|Protocol error|HTTP\/1|unexpected content-type|Unexpected HTTP status|Bad Request|protocol/i.test(
      text,
    )
  ) {
    return new PatroniKitError(
      'DCS',
      `the server at ${where} does not speak etcd's gRPC API (while ${ctx.op})`,
      {
        ...base,
        hint: 'Point the endpoints at etcd client URLs (port 2379 by default), not at Patroni, HAProxy or a proxy.',
      },
    );
  }
  if (name === 'GRPCDeadlineExceededError' || /deadline exceeded|request timed out|timed out/i.test(text)) {
    return new PatroniKitError('TIMEOUT', `etcd at ${where} did not answer in time while ${ctx.op}`, {
      ...base,
      hint: 'etcd may have lost quorum (run `patroni-kit etcd status`) or be overloaded; raise the timeout otherwise.',
    });
  }
  if (/leader changed|no leader|not capable|too many requests/i.test(text)) {
    return new PatroniKitError('QUORUM', `etcd cannot serve requests while ${ctx.op}: ${text}`, {
      ...base,
      hint: 'Run `patroni-kit etcd status`; restore etcd quorum before touching Patroni.',
    });
  }
  if (
    name === 'GRPCUnavailableError' ||
    name === 'BrokenCircuitError' ||
    /UNAVAILABLE|ECONNREFUSED|No connection established|connect|circuit|ENOTFOUND|EHOSTUNREACH/i.test(text)
  ) {
    return new PatroniKitError('CONNECT', `cannot reach etcd at ${where} while ${ctx.op}`, {
      ...base,
      hint: 'Check the endpoints (etcd3.hosts or --dcs-url) and that etcd is running and listening there; if etcd serves TLS, use https:// endpoints and give the CA.',
    });
  }
  if (name === 'ClientClosedError') {
    return new PatroniKitError('ABORTED', `the etcd client was closed while ${ctx.op}`, base);
  }
  return new PatroniKitError('DCS', `etcd error while ${ctx.op}: ${text}`, base);
}
