/** Finding the programs the lab runs, and telling the user exactly how to install what is missing. */
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { PatroniKitError } from '@patroni-kit/errors';
import type { EtcdVersion, LabBinaries, PatroniVersion } from './types.js';

/** How to start a program: the executable, fixed leading arguments and extra environment. */
export interface Launcher {
  command: string;
  args: string[];
  env: Record<string, string>;
}

/** Everything the lab runs, resolved to launchers. */
export interface ResolvedBinaries {
  patroni: Launcher;
  patronictl: Launcher;
  etcd: string;
  etcdctl: string;
  pgBinDir: string;
  haproxy: string;
}

const SYSTEM_PYTHON = '/usr/bin/python3';

/** The folder where `scripts/setup.sh` unpacks the trixie packages (for this user). */
export function defaultCacheDir(): string {
  if (process.env.PATRONI_KIT_CACHE) return process.env.PATRONI_KIT_CACHE;
  if (process.getuid?.() === 0) return '/var/cache/patroni-kit';
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'patroni-kit');
}

/** The cache folders to search: this user's, then the system-wide one root's set-up fills. */
function cacheDirs(): string[] {
  return [
    ...new Set([defaultCacheDir(), ...(process.env.PATRONI_KIT_CACHE ? [] : ['/var/cache/patroni-kit'])]),
  ];
}

/** The first cache folder holding `relative`, or the default one (for error messages). */
function inCache(relative: string): string {
  const found = cacheDirs().find((dir) => existsSync(join(dir, relative)));
  return join(found ?? defaultCacheDir(), relative);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Looks `name` up on PATH (plus the sbin folders, which an ordinary user's PATH often lacks). */
export function which(name: string): string | undefined {
  if (name.includes('/')) return isExecutable(name) ? name : undefined;
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

const INSTALL_HINT =
  'run `bash scripts/setup.sh` from the patroni-kit repository (it installs the Debian packages and unpacks Patroni 4.0.7 and etcd 3.5 from trixie), ' +
  'or on Debian/Ubuntu: `apt-get install postgresql-15 patroni etcd-server etcd-client haproxy python3-etcd python3-psycopg2 python3-cdiff iproute2 iptables util-linux`';

/** Throws PREREQUISITE naming the Debian package of the first system tool in `tools` not on PATH. */
export function requireTools(
  tools: ReadonlyArray<readonly [command: string, debianPackage: string, why: string]>,
): void {
  for (const [command, pkg, why] of tools) {
    if (!which(command)) {
      throw new PatroniKitError('PREREQUISITE', `${command} was not found; the lab needs it ${why}.`, {
        hint: `install it: apt-get install ${pkg} (Debian/Ubuntu), or run \`bash scripts/setup.sh\``,
      });
    }
  }
}

function missing(what: string, packages: string, flag: string, env: string): PatroniKitError {
  return new PatroniKitError('PREREQUISITE', `${what} was not found.`, {
    hint: `install it (Debian packages: ${packages}) or point the lab at it with ${flag} or the ${env} environment variable; ${INSTALL_HINT}`,
  });
}

function envOr(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}

function findPgBinDir(explicit: string | undefined): string {
  const candidates = explicit
    ? [explicit]
    : [
        '/usr/lib/postgresql/15/bin',
        '/usr/lib/postgresql/16/bin',
        '/usr/lib/postgresql/17/bin',
        '/usr/pgsql-15/bin',
      ];
  for (const dir of candidates)
    if (isExecutable(join(dir, 'pg_ctl')) && isExecutable(join(dir, 'initdb'))) return dir;
  const onPath = which('pg_ctl');
  if (!explicit && onPath && isExecutable(join(onPath, '..', 'initdb'))) return join(onPath, '..');
  throw missing(
    explicit
      ? `PostgreSQL's bin dir ${explicit} (with pg_ctl and initdb)`
      : "PostgreSQL's bin dir (pg_ctl, initdb, pg_rewind)",
    'postgresql-15',
    '--pg-bin-dir',
    'PATRONI_KIT_PG_BIN_DIR',
  );
}

function patroniLaunchers(
  version: PatroniVersion,
  bins: LabBinaries,
): { patroni: Launcher; patronictl: Launcher } {
  const explicit = bins.patroni ?? envOr('PATRONI_KIT_PATRONI');
  const pythonPath = bins.patroniPythonPath ?? envOr('PATRONI_KIT_PATRONI_PYTHONPATH');
  if (explicit || pythonPath) {
    if (pythonPath) {
      const env = { PYTHONPATH: pythonPath };
      const ctl =
        bins.patronictl ??
        envOr('PATRONI_KIT_PATRONICTL') ??
        join(pythonPath, '..', '..', '..', 'bin', 'patronictl');
      return {
        patroni: { command: SYSTEM_PYTHON, args: ['-m', 'patroni'], env },
        patronictl: { command: SYSTEM_PYTHON, args: [ctl], env },
      };
    }
    const path = which(explicit!);
    if (!path)
      throw missing(`Patroni executable ${explicit}`, 'patroni', '--patroni-bin', 'PATRONI_KIT_PATRONI');
    const ctl = bins.patronictl ?? envOr('PATRONI_KIT_PATRONICTL') ?? join(path, '..', 'patronictl');
    return { patroni: { command: path, args: [], env: {} }, patronictl: { command: ctl, args: [], env: {} } };
  }
  if (version === '4.0.7') {
    const root = inCache('patroni-4');
    const sitePackages = join(root, 'usr/lib/python3/dist-packages');
    if (!existsSync(join(sitePackages, 'patroni', '__main__.py'))) {
      throw missing(
        `Patroni 4.0.7 (expected unpacked under ${root})`,
        'patroni from trixie, unpacked',
        '--patroni-bin',
        'PATRONI_KIT_PATRONI',
      );
    }
    if (!isExecutable(SYSTEM_PYTHON))
      throw missing(SYSTEM_PYTHON, 'python3', '--patroni-bin', 'PATRONI_KIT_PATRONI');
    const env = { PYTHONPATH: sitePackages };
    return {
      patroni: { command: SYSTEM_PYTHON, args: ['-m', 'patroni'], env },
      patronictl: { command: SYSTEM_PYTHON, args: [join(root, 'usr/bin/patronictl')], env },
    };
  }
  const path = isExecutable('/usr/bin/patroni') ? '/usr/bin/patroni' : which('patroni');
  if (!path)
    throw missing('Patroni 3.0.2 (/usr/bin/patroni)', 'patroni', '--patroni-bin', 'PATRONI_KIT_PATRONI');
  return {
    patroni: { command: path, args: [], env: {} },
    patronictl: { command: join(path, '..', 'patronictl'), args: [], env: {} },
  };
}

function etcdBinaries(version: EtcdVersion, bins: LabBinaries): { etcd: string; etcdctl: string } {
  const explicit = bins.etcd ?? envOr('PATRONI_KIT_ETCD_BIN');
  if (explicit) {
    const path = which(explicit);
    if (!path)
      throw missing(`etcd executable ${explicit}`, 'etcd-server', '--etcd-bin', 'PATRONI_KIT_ETCD_BIN');
    return { etcd: path, etcdctl: bins.etcdctl ?? join(path, '..', 'etcdctl') };
  }
  if (version === '3.5') {
    const dir = inCache('etcd-3.5/usr/bin');
    if (!isExecutable(join(dir, 'etcd'))) {
      throw missing(
        `etcd 3.5 (expected unpacked under ${dir})`,
        'etcd-server and etcd-client from trixie, unpacked',
        '--etcd-bin',
        'PATRONI_KIT_ETCD_BIN',
      );
    }
    return { etcd: join(dir, 'etcd'), etcdctl: join(dir, 'etcdctl') };
  }
  const path = isExecutable('/usr/bin/etcd') ? '/usr/bin/etcd' : which('etcd');
  if (!path)
    throw missing(
      'etcd 3.4 (/usr/bin/etcd)',
      'etcd-server etcd-client',
      '--etcd-bin',
      'PATRONI_KIT_ETCD_BIN',
    );
  return { etcd: path, etcdctl: bins.etcdctl ?? join(path, '..', 'etcdctl') };
}

/** Resolves every program the lab needs, or throws a PREREQUISITE error naming the package to install. */
export function resolveBinaries(
  patroni: PatroniVersion,
  etcd: EtcdVersion,
  bins: LabBinaries = {},
): ResolvedBinaries {
  const haproxyName = bins.haproxy ?? envOr('PATRONI_KIT_HAPROXY_BIN') ?? 'haproxy';
  const haproxy = which(haproxyName);
  if (!haproxy)
    throw missing(`HAProxy (${haproxyName})`, 'haproxy', '--haproxy-bin', 'PATRONI_KIT_HAPROXY_BIN');
  return {
    ...patroniLaunchers(patroni, bins),
    ...etcdBinaries(etcd, bins),
    pgBinDir: findPgBinDir(bins.pgBinDir ?? envOr('PATRONI_KIT_PG_BIN_DIR')),
    haproxy,
  };
}

/** Runs a program briefly and returns its stdout (for `--version` probes). */
export function runForOutput(
  command: string,
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 15_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 4 << 20 },
      (err, stdout, stderr) => {
        if (err)
          reject(
            new PatroniKitError(
              'LAB',
              `${command} ${args.join(' ')} failed: ${stderr || err.message}`.trim(),
              { cause: err },
            ),
          );
        else resolve(`${stdout}${stderr}`);
      },
    );
  });
}

/** The versions of the resolved programs, as they report them. */
export async function probeVersions(
  bins: ResolvedBinaries,
): Promise<{ patroni: string; etcd: string; postgres: string; haproxy: string }> {
  const grab = (text: string, re: RegExp) => re.exec(text)?.[1] ?? 'unknown';
  const [patroni, etcd, postgres, haproxy] = await Promise.all([
    runForOutput(bins.patroni.command, [...bins.patroni.args, '--version'], bins.patroni.env),
    runForOutput(bins.etcd, ['--version']),
    runForOutput(join(bins.pgBinDir, 'postgres'), ['--version']),
    runForOutput(bins.haproxy, ['-v']),
  ]);
  return {
    patroni: grab(patroni, /(\d+\.\d+\.\d+)/),
    etcd: grab(etcd, /etcd Version:\s*(\S+)/),
    postgres: grab(postgres, /(\d+(?:\.\d+)+)/),
    haproxy: grab(haproxy, /version\s+(\S+)/i),
  };
}
