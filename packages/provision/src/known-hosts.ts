/** Host key checks: OpenSSH known_hosts files (plain, hashed, `[host]:port`, globs) and pinned fingerprints. */
import { createHash, createHmac } from 'node:crypto';

/** OpenSSH's fingerprint of a raw public key blob: `SHA256:` and unpadded base64. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside a public key blob (`ssh-ed25519`, `ecdsa-sha2-nistp256`, ...). */
export function keyType(key: Buffer): string {
  if (key.length < 4) return 'unknown';
  const n = key.readUInt32BE(0);
  return n > 0 && n < 64 && key.length >= 4 + n ? key.subarray(4, 4 + n).toString('latin1') : 'unknown';
}

/** The verdict on an offered key. */
export type HostKeyVerdict = 'known' | 'unknown' | 'changed' | 'revoked';

function glob(pattern: string, text: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i').test(text);
}

function hostMatches(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return false;
    const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return mac === hash;
  }
  let hit = false;
  for (const p of field.split(',')) {
    if (p.startsWith('!')) {
      if (glob(p.slice(1), name)) return false;
    } else if (glob(p, name)) hit = true;
  }
  return hit;
}

/**
 * Checks `key`, offered by `host:port`, against the text of a known_hosts file. `changed` means the host
 * is listed with other keys only, which is what OpenSSH calls "REMOTE HOST IDENTIFICATION HAS CHANGED".
 */
export function checkKnownHosts(text: string, host: string, port: number, key: Buffer): HostKeyVerdict {
  const name = port === 22 ? host : `[${host}]:${port}`;
  const offered = key.toString('base64');
  let listed = false;
  let known = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const parts = line.split(/\s+/);
    let marker: string | undefined;
    if (parts[0]?.startsWith('@')) marker = parts.shift();
    const [hosts, , blob] = parts;
    if (!hosts || !blob || !hostMatches(hosts, name)) continue;
    if (marker === '@revoked') {
      if (blob === offered) return 'revoked';
      continue;
    }
    if (marker !== undefined) continue; // @cert-authority: we do not do certificates
    listed = true;
    if (blob === offered) known = true;
  }
  return known ? 'known' : listed ? 'changed' : 'unknown';
}

/** A known_hosts line for `key`, as `ssh-keyscan` prints it. */
export function knownHostsLine(host: string, port: number, key: Buffer): string {
  const name = port === 22 ? host : `[${host}]:${port}`;
  return `${name} ${keyType(key)} ${key.toString('base64')}`;
}
