/** The TLS connect options both HTTP paths (undici's Pool and the lean node:https read) build from one setting. */
import { extraCaCertificates } from '@patroni-kit/errors/extra-ca';
import type { PatroniTlsOptions } from './types.js';

/**
 * `tls.connect` options for `tls`: verification on unless `rejectUnauthorized` is `false`, and without a `ca`
 * of the caller's, Node's roots plus the user's deferred extra CAs (see `@patroni-kit/errors/extra-ca`).
 */
export function tlsConnectOptions(
  tls: PatroniTlsOptions = {},
): PatroniTlsOptions & { rejectUnauthorized: boolean } {
  const ca = tls.ca ?? extraCaCertificates();
  return {
    ...(ca === undefined ? {} : { ca }),
    ...(tls.cert === undefined ? {} : { cert: tls.cert }),
    ...(tls.key === undefined ? {} : { key: tls.key }),
    ...(tls.passphrase === undefined ? {} : { passphrase: tls.passphrase }),
    ...(tls.servername === undefined ? {} : { servername: tls.servername }),
    rejectUnauthorized: tls.rejectUnauthorized !== false,
  };
}
