/**
 * The user's extra CA certificates, loaded only when a TLS connection is made.
 *
 * Node 20 reads and parses `NODE_EXTRA_CA_CERTS` at start-up (about 50 ms for Debian's bundle), even for a
 * command that never opens a TLS connection. The `patroni-kit` launcher therefore moves the variable to
 * `PATRONI_KIT_EXTRA_CA_CERTS` before it starts Node, and every TLS path (REST lean reads, the undici client,
 * the etcd gateway and etcd3) asks {@link extraCaCertificates} for the trust store when the caller gave no CA
 * of its own, so the user's extra CAs are still trusted. It lives here because every transport package
 * already depends on `@patroni-kit/errors`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** The variable the launcher moves `NODE_EXTRA_CA_CERTS` to. */
export const DEFERRED_CA_ENV = 'PATRONI_KIT_EXTRA_CA_CERTS';

let cached: { file: string; ca: string[] | undefined } | undefined;

/**
 * Node's root certificates plus the deferred extra CAs, for a TLS `ca` option; `undefined` when nothing was
 * deferred (Node's own store, `NODE_EXTRA_CA_CERTS` included, then applies). A file that cannot be read is
 * ignored with a warning, as Node does.
 */
export function extraCaCertificates(
  env: Record<string, string | undefined> = process.env,
): string[] | undefined {
  const file = env[DEFERRED_CA_ENV];
  if (file === undefined || file === '') return undefined;
  if (cached?.file === file) return cached.ca;
  let ca: string[] | undefined;
  try {
    // node:tls is loaded here, not at import: a plain-HTTP command never pays for it.
    const { rootCertificates } = createRequire(import.meta.url)('node:tls') as typeof import('node:tls');
    ca = [...rootCertificates, readFileSync(file, 'utf8')];
  } catch (err) {
    process.emitWarning(`Ignoring extra certs from \`${file}\`, load failed: ${(err as Error).message}`);
  }
  cached = { file, ca };
  return ca;
}
