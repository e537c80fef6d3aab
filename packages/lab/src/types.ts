/** Public types of the lab: options, state and status. */

/** Patroni versions the lab knows how to find (others work through `binaries.patroni`). */
export type PatroniVersion = '4.0.7' | '3.0.2';
/** etcd major.minor the lab knows how to find. */
export type EtcdVersion = '3.5' | '3.4';
/** `default`: ttl 30 / loop_wait 10 / retry_timeout 10. `fast`: ttl 10 (raised to 20 by Patroni 4) / 2 / 4. */
export type TimingProfile = 'default' | 'fast';
/** `loopback`: 127.0.0.x aliases. `netns`: one network namespace per host on a bridge (root only). */
export type Topology = 'loopback' | 'netns';

/** Where to find each program; anything unset is looked up from the version, the set-up cache and PATH. */
export interface LabBinaries {
  /** A `patroni` executable, or a Python file/dir run as `python3 -m patroni` when `patroniPythonPath` is set. */
  patroni?: string;
  patronictl?: string;
  /** PYTHONPATH for a Patroni unpacked from a .deb (used with /usr/bin/python3). */
  patroniPythonPath?: string;
  etcd?: string;
  etcdctl?: string;
  /** PostgreSQL's bin dir (pg_ctl, initdb, pg_rewind). */
  pgBinDir?: string;
  haproxy?: string;
}

/** Ports used by every member (each member has its own address). */
export interface LabPorts {
  etcdClient: number;
  etcdPeer: number;
  postgres: number;
  rest: number;
  writer: number;
  reader: number;
  stats: number;
}

/** Options for {@link Lab}. All are optional; `up` stores them in the state folder for later commands. */
export interface LabOptions {
  /** State folder (configs, data, logs, PIDs, credentials). */
  dir?: string;
  /** Cluster scope. Default `lab`. */
  scope?: string;
  patroni?: PatroniVersion;
  etcd?: EtcdVersion;
  profile?: TimingProfile;
  /** Turn on synchronous_mode. */
  sync?: boolean;
  topology?: Topology;
  /** netns topology: prefix of the namespaces, veths and bridge (default `pk`, or PATRONI_KIT_NETNS_PREFIX). */
  netnsPrefix?: string;
  /** netns topology: members get 198.18.OCTET.11-13 (default 0). */
  netnsOctet?: number;
  /** The three member addresses (loopback topology). Default 127.0.0.11, .12, .13. */
  hosts?: [string, string, string];
  /** Address HAProxy binds to. Default 127.0.0.1. */
  haproxyHost?: string;
  ports?: Partial<LabPorts>;
  binaries?: LabBinaries;
  /** Called with one line per step of long work. */
  onProgress?: (message: string) => void;
}

/** One Patroni/PostgreSQL node plus the etcd member on the same host. */
export interface LabMemberStatus {
  name: string;
  host: string;
  /** From the member's own `GET /patroni` (the truth about its role), or `unknown` when unreachable. */
  role: string;
  state: string;
  /** Patroni 4.x: `streaming` or `in archive recovery` on replicas (from `/patroni` `replication_state`). */
  replicationState?: string;
  timeline?: number;
  restUrl: string;
  postgres: { host: string; port: number };
  etcd: { name: string; clientUrl: string; healthy: boolean; running: boolean };
  running: { patroni: boolean; postgres: boolean };
  versions: { patroni?: string; postgres?: string };
  /** Set in the netns topology while the member is cut off. */
  partitioned?: boolean;
}

/** What `lab status --json` prints. */
export interface LabStatus {
  scope: string;
  namespace: string;
  dir: string;
  topology: Topology;
  profile: TimingProfile;
  sync: boolean;
  running: boolean;
  versions: { patroni: string; etcd: string; postgres: string; haproxy: string };
  members: LabMemberStatus[];
  leader: string | null;
  etcdEndpoints: string[];
  restUrls: string[];
  /** PostgreSQL URIs through HAProxy, without passwords. */
  writerUri: string;
  readerUri: string;
  statsUrl: string;
  /** JSON file with superuser, replication and restapi credentials (mode 0600). */
  credentialsFile: string;
  /** A libpq password file for the superuser (use with PGPASSFILE). */
  pgpassFile: string;
  /** patronictl-compatible config (`patronictl -c FILE list`). */
  ctlConfig: string;
  /** Network namespace to run clients in (netns topology only). */
  clientNamespace?: string;
  warnings: string[];
}

/** The content of the credentials file. */
export interface LabCredentials {
  superuser: { username: string; password: string };
  replication: { username: string; password: string };
  rewind: { username: string; password: string };
  restapi: { username: string; password: string };
}
