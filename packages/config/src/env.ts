/**
 * PATRONI_* environment variables as Patroni 3.0–4.1 reads them (patroni.md §4.4): which config path
 * each one sets and how its text becomes a value.
 */
import { readYaml } from './yaml.js';

/** Config values set by the environment, and which variable set each path. */
export interface EnvOverlay {
  overlay: Record<string, unknown>;
  /** Dotted path → variable name. */
  sources: Map<string, string>;
  /** Variables Patroni ignores or misreads, with the reason. */
  problems: Array<{ variable: string; message: string }>;
}

const GENERIC_SUFFIXES = [
  'HOST',
  'HOSTS',
  'PORT',
  'USE_PROXIES',
  'PROTOCOL',
  'SRV',
  'SRV_SUFFIX',
  'URL',
  'PROXY',
  'CACERT',
  'CERT',
  'KEY',
  'VERIFY',
  'TOKEN',
  'CHECKS',
  'DC',
  'CONSISTENCY',
  'REGISTER_SERVICE',
  'SERVICE_CHECK_INTERVAL',
  'SERVICE_CHECK_TLS_SERVER_NAME',
  'SERVICE_TAGS',
  'NAMESPACE',
  'CONTEXT',
  'USE_ENDPOINTS',
  'SCOPE_LABEL',
  'ROLE_LABEL',
  'POD_IP',
  'PORTS',
  'LABELS',
  'BYPASS_API_SERVICE',
  'RETRIABLE_HTTP_CODES',
  'KEY_PASSWORD',
  'USE_SSL',
  'SET_ACLS',
  'GROUP',
  'DATABASE',
  'LEADER_LABEL_VALUE',
  'FOLLOWER_LABEL_VALUE',
  'STANDBY_LEADER_LABEL_VALUE',
  'TMP_ROLE_LABEL',
  'AUTH_DATA',
  'BOOTSTRAP_LABELS',
];
// Longest first so SRV_SUFFIX wins over a section ending in _SRV and KEY_PASSWORD over KEY.
const SUFFIXES_BY_LENGTH = [...GENERIC_SUFFIXES].sort((a, b) => b.length - a.length);
const KNOWN_SECTIONS = new Set([
  'consul',
  'etcd',
  'etcd3',
  'exhibitor',
  'kubernetes',
  'raft',
  'zookeeper',
  'citus',
]);
const LIST_SUFFIXES = new Set(['HOSTS', 'PORTS', 'CHECKS', 'SERVICE_TAGS', 'RETRIABLE_HTTP_CODES']);
const MAP_SUFFIXES = new Set(['LABELS', 'SET_ACLS', 'AUTH_DATA', 'BOOTSTRAP_LABELS']);
const BOOL_SUFFIXES = new Set([
  'USE_PROXIES',
  'VERIFY',
  'REGISTER_SERVICE',
  'USE_ENDPOINTS',
  'BYPASS_API_SERVICE',
  'USE_SSL',
]);
const INT_SUFFIXES = new Set(['PORT', 'GROUP']);

const USER_SUFFIXES = [
  'USERNAME',
  'PASSWORD',
  'SSLMODE',
  'SSLCERT',
  'SSLKEY',
  'SSLPASSWORD',
  'SSLROOTCERT',
  'SSLCRL',
  'SSLCRLDIR',
  'GSSENCMODE',
  'CHANNEL_BINDING',
  'SSLNEGOTIATION',
];

const LOG_KEYS: Record<string, string> = {
  LOG_TYPE: 'type',
  LOG_LEVEL: 'level',
  LOGLEVEL: 'level',
  LOG_TRACEBACK_LEVEL: 'traceback_level',
  LOG_FORMAT: 'format',
  LOGFORMAT: 'format',
  LOG_DATEFORMAT: 'dateformat',
  LOG_DATEFMT: 'dateformat',
  LOG_STATIC_FIELDS: 'static_fields',
  LOG_MAX_QUEUE_SIZE: 'max_queue_size',
  LOG_DIR: 'dir',
  LOG_MODE: 'mode',
  LOG_FILE_SIZE: 'file_size',
  LOG_FILE_NUM: 'file_num',
  LOG_LOGGERS: 'loggers',
  LOG_DEDUPLICATE_HEARTBEAT_LOGS: 'deduplicate_heartbeat_logs',
};
const RESTAPI_KEYS = [
  'LISTEN',
  'CONNECT_ADDRESS',
  'CERTFILE',
  'KEYFILE',
  'KEYFILE_PASSWORD',
  'CAFILE',
  'CIPHERS',
  'VERIFY_CLIENT',
  'HTTP_EXTRA_HEADERS',
  'HTTPS_EXTRA_HEADERS',
  'ALLOWLIST',
  'ALLOWLIST_INCLUDE_MEMBERS',
  'REQUEST_QUEUE_SIZE',
  'SERVER_TOKENS',
];
const CTL_KEYS = ['INSECURE', 'CACERT', 'CERTFILE', 'KEYFILE', 'KEYFILE_PASSWORD'];
const PG_KEYS = ['LISTEN', 'CONNECT_ADDRESS', 'PROXY_ADDRESS', 'CONFIG_DIR', 'DATA_DIR', 'PGPASS', 'BIN_DIR'];
const PG_BINS = [
  'PG_CTL',
  'INITDB',
  'PG_CONTROLDATA',
  'PG_BASEBACKUP',
  'POSTGRES',
  'PG_ISREADY',
  'PG_REWIND',
];
const RAFT_KEYS = ['SELF_ADDR', 'BIND_ADDR', 'PARTNER_ADDRS', 'DATA_DIR', 'PASSWORD'];

function parseBool(v: string): boolean | string {
  const s = v.trim().toLowerCase();
  if (['on', 'true', 'yes', '1'].includes(s)) return true;
  if (['off', 'false', 'no', '0'].includes(s)) return false;
  return v;
}
function parseInt10(v: string): number | string {
  return /^\s*-?\d+\s*$/.test(v) ? Number.parseInt(v, 10) : v;
}
function parseList(v: string): unknown {
  const text = v.trim().startsWith('[') ? v : `[${v}]`;
  try {
    // Patroni reads these values with yaml.safe_load: the one YAML 1.1 reader, as for files.
    return readYaml(text, 'an environment variable');
  } catch {
    return v;
  }
}
function parseMap(v: string): unknown {
  const text = v.trim().startsWith('{') ? v : `{${v}}`;
  try {
    return readYaml(text, 'an environment variable');
  } catch {
    return v;
  }
}

/** Builds the configuration the PATRONI_* variables in `env` contribute. */
export function envOverlay(env: Record<string, string | undefined>, fileSections: Set<string>): EnvOverlay {
  const overlay: Record<string, unknown> = {};
  const sources = new Map<string, string>();
  const problems: EnvOverlay['problems'] = [];
  const set = (path: string[], value: unknown, variable: string) => {
    let node = overlay;
    for (const seg of path.slice(0, -1)) {
      const next = node[seg];
      if (typeof next !== 'object' || next === null) node[seg] = {};
      node = node[seg] as Record<string, unknown>;
    }
    node[path[path.length - 1]!] = value;
    sources.set(path.join('.'), variable);
  };
  for (const [variable, raw] of Object.entries(env)) {
    if (!variable.startsWith('PATRONI_') || raw === undefined) continue;
    const name = variable.slice('PATRONI_'.length);
    if (name === 'CONFIGURATION') continue; // whole document; used only when no file is given
    if (name === 'NAME' || name === 'SCOPE' || name === 'NAMESPACE') {
      set([name.toLowerCase()], raw, variable);
      continue;
    }
    if (name === 'THREAD_POOL_SIZE' || name === 'THREAD_STACK_SIZE') {
      // Patroni keeps these as strings, which its own validator then rejects
      set([name.toLowerCase()], raw, variable);
      continue;
    }
    const logKey = LOG_KEYS[name];
    if (logKey) {
      const value = ['max_queue_size', 'mode', 'file_size', 'file_num'].includes(logKey)
        ? parseInt10(raw)
        : ['static_fields', 'loggers'].includes(logKey)
          ? parseMap(raw)
          : logKey === 'deduplicate_heartbeat_logs'
            ? parseBool(raw)
            : raw;
      set(['log', logKey], value, variable);
      continue;
    }
    if (name.startsWith('RESTAPI_')) {
      const rest = name.slice('RESTAPI_'.length);
      if (rest === 'USERNAME' || rest === 'PASSWORD')
        set(['restapi', 'authentication', rest.toLowerCase()], raw, variable);
      else if (RESTAPI_KEYS.includes(rest)) {
        const value =
          rest === 'ALLOWLIST'
            ? parseList(raw)
            : rest.endsWith('EXTRA_HEADERS')
              ? parseMap(raw)
              : rest === 'ALLOWLIST_INCLUDE_MEMBERS'
                ? parseBool(raw)
                : rest === 'REQUEST_QUEUE_SIZE'
                  ? parseInt10(raw)
                  : raw;
        set(['restapi', rest.toLowerCase()], value, variable);
      } else problems.push({ variable, message: `Patroni does not read ${variable}.` });
      continue;
    }
    if (name.startsWith('CTL_')) {
      const rest = name.slice('CTL_'.length);
      if (rest === 'USERNAME' || rest === 'PASSWORD')
        set(['ctl', 'authentication', rest.toLowerCase()], raw, variable);
      else if (CTL_KEYS.includes(rest))
        set(['ctl', rest.toLowerCase()], rest === 'INSECURE' ? parseBool(raw) : raw, variable);
      else problems.push({ variable, message: `Patroni does not read ${variable}.` });
      continue;
    }
    if (name.startsWith('POSTGRESQL_')) {
      const rest = name.slice('POSTGRESQL_'.length);
      if (PG_KEYS.includes(rest)) set(['postgresql', rest.toLowerCase()], raw, variable);
      else if (rest.startsWith('BIN_') && PG_BINS.includes(rest.slice(4)))
        set(['postgresql', 'bin_name', rest.slice(4).toLowerCase()], raw, variable);
      else
        problems.push({
          variable,
          message: `Patroni does not read ${variable}: only LISTEN, CONNECT_ADDRESS, PROXY_ADDRESS, CONFIG_DIR, DATA_DIR, PGPASS, BIN_DIR and BIN_<binary> exist for postgresql.`,
        });
      continue;
    }
    const user = ['SUPERUSER', 'REPLICATION', 'REWIND'].find((u) => name.startsWith(`${u}_`));
    if (user) {
      const rest = name.slice(user.length + 1);
      if (USER_SUFFIXES.includes(rest))
        set(['postgresql', 'authentication', user.toLowerCase(), rest.toLowerCase()], raw, variable);
      else problems.push({ variable, message: `Patroni does not read ${variable}.` });
      continue;
    }
    if (name.startsWith('RAFT_')) {
      const rest = name.slice('RAFT_'.length);
      if (RAFT_KEYS.includes(rest))
        set(['raft', rest.toLowerCase()], rest === 'PARTNER_ADDRS' ? parseList(raw) : raw, variable);
      else problems.push({ variable, message: `Patroni does not read ${variable}.` });
      continue;
    }
    const etcdAuth = /^(ETCD3?)_(USERNAME|PASSWORD)$/.exec(name);
    if (etcdAuth) {
      const section = etcdAuth[1]!.toLowerCase();
      if (fileSections.has(section) || overlay[section] !== undefined)
        set([section, etcdAuth[2]!.toLowerCase()], raw, variable);
      else
        problems.push({ variable, message: `${variable} is only used when the ${section} section exists.` });
      continue;
    }
    if (name === 'CONSUL_SCHEME') {
      problems.push({
        variable,
        message:
          'PATRONI_CONSUL_SCHEME is documented but Patroni does not parse it: set consul.scheme in the file.',
      });
      continue;
    }
    if (name === 'RETRIABLE_HTTP_CODES') {
      problems.push({
        variable,
        message:
          'The variable is PATRONI_KUBERNETES_RETRIABLE_HTTP_CODES; PATRONI_RETRIABLE_HTTP_CODES is not read.',
      });
      continue;
    }
    const suffix = SUFFIXES_BY_LENGTH.find((s) => name.endsWith(`_${s}`) && name.length > s.length + 1);
    if (suffix) {
      const section = name.slice(0, name.length - suffix.length - 1).toLowerCase();
      if (!KNOWN_SECTIONS.has(section)) {
        problems.push({
          variable,
          message: `${variable} creates a configuration section "${section}" that Patroni does not know (a misspelled DCS name?).`,
        });
        continue;
      }
      const value = LIST_SUFFIXES.has(suffix)
        ? parseList(raw)
        : MAP_SUFFIXES.has(suffix)
          ? parseMap(raw)
          : BOOL_SUFFIXES.has(suffix)
            ? parseBool(raw)
            : INT_SUFFIXES.has(suffix)
              ? parseInt10(raw)
              : raw;
      set([section, suffix.toLowerCase()], value, variable);
      continue;
    }
    problems.push({ variable, message: `Patroni does not read ${variable}.` });
  }
  return { overlay, sources, problems };
}

/** Reads a dotenv-style file (`NAME=value`, `export NAME=value`, quotes optional, # comments). */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m || line.trim().startsWith('#')) continue;
    let value = m[2]!;
    if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'")))
      value = value.slice(1, -1);
    out[m[1]!] = value;
  }
  return out;
}
