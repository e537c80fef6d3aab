/** Generated passwords, kept in a 0600 file next to the spec (never a default, never printed). */
import { randomBytes } from 'node:crypto';
import { chmod, open, readFile, rename, stat } from 'node:fs/promises';
import { PatroniKitError } from '@patroni-kit/errors';

/** The passwords a cluster needs. */
export interface ClusterSecrets {
  superuser: string;
  replication: string;
  rewind: string;
  /** Patroni REST API basic-auth password (unsafe endpoints). */
  restapi: string;
  /** Passwords replaced by a rotation, kept so plans can redact them from old files. */
  previous?: string[];
  /** Set by {@link rotateSecrets}: the next apply changes the roles' passwords, then clears it. */
  rotationPending?: boolean;
}

const KEYS = ['superuser', 'replication', 'rewind', 'restapi'] as const;

/** A new random password: 32 URL-safe characters (192 bits), safe in YAML, pgpass and connection strings. */
export function generatePassword(): string {
  return randomBytes(24).toString('base64url');
}

function isSecrets(v: unknown): v is ClusterSecrets {
  if (typeof v !== 'object' || v === null) return false;
  return KEYS.every(
    (k) =>
      typeof (v as Record<string, unknown>)[k] === 'string' && (v as Record<string, string>)[k]!.length >= 16,
  );
}

/** Writes `secrets` to `file` with mode 0600 (atomically: a temporary file, then rename). */
export async function writeSecrets(file: string, secrets: ClusterSecrets): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.chmod(0o600);
    await fh.writeFile(`${JSON.stringify(secrets, null, 2)}\n`);
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
}

/**
 * Reads the secrets file, or creates it with new passwords when it does not exist (`create`).
 * A file readable by group or others is refused: it holds the superuser password.
 */
export async function loadSecrets(
  file: string,
  create: boolean,
): Promise<{ secrets: ClusterSecrets; created: boolean }> {
  let text: string;
  try {
    const st = await stat(file);
    if ((st.mode & 0o077) !== 0) {
      throw new PatroniKitError(
        'CONFIG',
        `${file} is readable by others (mode ${(st.mode & 0o777).toString(8)}); it holds the cluster's passwords`,
        { hint: `chmod 600 ${file}` },
      );
    }
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    if (!create) {
      throw new PatroniKitError('NOT_FOUND', `no secrets file ${file} yet`, {
        hint: 'run `patroni-kit provision plan SPEC` or `apply`: they generate it',
      });
    }
    const secrets: ClusterSecrets = {
      superuser: generatePassword(),
      replication: generatePassword(),
      rewind: generatePassword(),
      restapi: generatePassword(),
    };
    await writeSecrets(file, secrets);
    await chmod(file, 0o600);
    return { secrets, created: true };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new PatroniKitError('CONFIG', `${file} is not valid JSON`, {
      cause: err,
      hint: 'restore it from a backup',
    });
  }
  if (!isSecrets(data)) {
    throw new PatroniKitError(
      'CONFIG',
      `${file} lacks one of ${KEYS.join(', ')} (each at least 16 characters)`,
      {
        hint: 'restore it from a backup; deleting it makes new passwords the running cluster does not know',
      },
    );
  }
  return { secrets: data, created: false };
}

/** Every secret string, for redacting plans and logs. */
export function secretValues(s: ClusterSecrets, extra: string[] = []): string[] {
  return [s.superuser, s.replication, s.rewind, s.restapi, ...(s.previous ?? []), ...extra].filter(
    (v) => v.length > 0,
  );
}

/**
 * New passwords for every role (the old ones are kept in `previous`, for redaction). The next apply sets
 * them on the leader (ALTER ROLE over the local socket, SQL on stdin) before it rewrites patroni.yml and
 * pgpass on every node and reloads Patroni.
 */
export async function rotateSecrets(file: string): Promise<ClusterSecrets> {
  const { secrets } = await loadSecrets(file, false);
  const next: ClusterSecrets = {
    superuser: generatePassword(),
    replication: generatePassword(),
    rewind: generatePassword(),
    restapi: generatePassword(),
    previous: [
      secrets.superuser,
      secrets.replication,
      secrets.rewind,
      secrets.restapi,
      ...(secrets.previous ?? []),
    ].slice(0, 40),
    rotationPending: true,
  };
  await writeSecrets(file, next);
  return next;
}
