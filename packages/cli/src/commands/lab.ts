/** `patroni-kit lab`: a real three-node cluster on this machine (up, status, down and fault controls). */
import { parseCommand, usageError as usageErrorFor } from '../args.js';
import { lineProgress } from '../cluster-args.js';
import type { CommandIO, CommandModule } from '../command.js';
import { ExitCode } from '../command.js';

const usage = `Usage: patroni-kit lab <up|status|down|kill|stop|start|partition|heal> [options]

  up                 start (or resume) the lab and wait until it is healthy
  status [--json]    members, roles, endpoints and files
  down [--purge]     stop everything the lab started; --purge also deletes its folder
  kill MEMBER        SIGKILL a node's Patroni and PostgreSQL (n1, n2, n3)
  stop MEMBER        stop a Patroni node (n1..n3) or an etcd member (e1..e3)
  start MEMBER       start it again
  partition MEMBER   cut a host off the network in both directions (--netns labs)
  partition MEMBER --ports 5432,8008
                     drop only incoming TCP to these ports on the host (the production recipe's drill)
  heal [MEMBER]      remove partitions

Options for up (stored in the lab folder; later commands need only --dir):
  --dir DIR              state folder (default: $PATRONI_KIT_LAB_DIR, /var/lib/patroni-kit/lab as root,
                         ~/.local/state/patroni-kit/lab otherwise)
  --patroni 4.0.7|3.0.2  Patroni version (default 4.0.7; 3.0.2 is Debian bookworm's)
  --etcd 3.5|3.4         etcd version (default 3.5)
  --fast                 fast timing profile: ttl 10 (Patroni 4 raises it to 20), loop_wait 2, retry_timeout 4
  --sync                 synchronous_mode on
  --netns                one network namespace per host (root only), addresses in 198.18.0.0/24
  --netns-prefix P       names of the namespaces, veths and bridge (default pk: pk-n1, pk-br)
  --netns-octet N        members at 198.18.N.11-13 (default 0)
  --scope NAME           cluster name (default lab)
  --net 127.A.B          members at 127.A.B.11-13, HAProxy at 127.A.B.1
  --hosts A,B,C          the three member addresses (loopback)
  --haproxy-host ADDR    HAProxy's address (default 127.0.0.1)
  --writer-port N --reader-port N --stats-port N   HAProxy ports (default 5000, 5001, 7000)
  --patroni-bin PATH --patroni-pythonpath DIR --etcd-bin PATH --pg-bin-dir DIR --haproxy-bin PATH
                         programs to use instead of the versions above
  --json                 print the status as JSON
  -q, --quiet            no progress lines`;

const options = {
  dir: { type: 'string' },
  patroni: { type: 'string' },
  etcd: { type: 'string' },
  fast: { type: 'boolean' },
  sync: { type: 'boolean' },
  netns: { type: 'boolean' },
  'netns-prefix': { type: 'string' },
  'netns-octet': { type: 'string' },
  ports: { type: 'string' },
  scope: { type: 'string' },
  net: { type: 'string' },
  hosts: { type: 'string' },
  'haproxy-host': { type: 'string' },
  'writer-port': { type: 'string' },
  'reader-port': { type: 'string' },
  'stats-port': { type: 'string' },
  'patroni-bin': { type: 'string' },
  'patroni-pythonpath': { type: 'string' },
  'etcd-bin': { type: 'string' },
  'pg-bin-dir': { type: 'string' },
  'haproxy-bin': { type: 'string' },
  json: { type: 'boolean' },
  purge: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
} as const;

const usageError = (message: string) => usageErrorFor('lab', message);

function port(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw usageError(`--${name} must be a port number (1-65535), not '${value}'`);
  return n;
}

async function run(argv: string[], io: CommandIO): Promise<number> {
  const { values: v, positionals } = parseCommand('lab', argv, options);
  const [action, member, ...extra] = positionals;
  if (!action) throw usageError('missing action (up, status, down, kill, stop, start, partition, heal)');
  if (extra.length > 0) throw usageError(`unexpected arguments: ${extra.join(' ')}`);
  // Imported here so that `patroni-kit --help` does not load the lab.
  const { Lab } = await import('@patroni-kit/lab');
  const { formatStatus } = await import('../format/lab-status.js');

  const labOptions: ConstructorParameters<typeof Lab>[0] = {};
  if (v.dir) labOptions.dir = v.dir;
  if (v.patroni) {
    if (v.patroni !== '4.0.7' && v.patroni !== '3.0.2')
      throw usageError(`--patroni must be 4.0.7 or 3.0.2 (use --patroni-bin for others), not '${v.patroni}'`);
    labOptions.patroni = v.patroni;
  }
  if (v.etcd) {
    const e = v.etcd.replace(/^(\d+\.\d+).*/, '$1');
    if (e !== '3.5' && e !== '3.4')
      throw usageError(`--etcd must be 3.5 or 3.4 (use --etcd-bin for others), not '${v.etcd}'`);
    labOptions.etcd = e;
  }
  if (v.fast) labOptions.profile = 'fast';
  if (v.sync) labOptions.sync = true;
  if (v.netns) labOptions.topology = 'netns';
  if (v['netns-prefix'] !== undefined) labOptions.netnsPrefix = v['netns-prefix'];
  if (v['netns-octet'] !== undefined) {
    const n = Number(v['netns-octet']);
    if (!/^\d{1,3}$/.test(v['netns-octet']) || n > 255)
      throw usageError(`--netns-octet must be a number from 0 to 255, not '${v['netns-octet']}'`);
    labOptions.netnsOctet = n;
  }
  if (v.scope) labOptions.scope = v.scope;
  if (v.net) {
    if (!/^127\.\d{1,3}\.\d{1,3}$/.test(v.net))
      throw usageError(`--net takes the first three octets of a loopback /24, e.g. 127.0.3, not '${v.net}'`);
    labOptions.hosts = [`${v.net}.11`, `${v.net}.12`, `${v.net}.13`];
    labOptions.haproxyHost = `${v.net}.1`;
  }
  if (v.hosts) {
    const h = v.hosts.split(',').map((s) => s.trim());
    if (h.length !== 3) throw usageError('--hosts takes exactly three comma-separated addresses');
    labOptions.hosts = [h[0]!, h[1]!, h[2]!];
  }
  if (v['haproxy-host']) labOptions.haproxyHost = v['haproxy-host'];
  const ports: Record<string, number> = {};
  for (const [flag, key] of [
    ['writer-port', 'writer'],
    ['reader-port', 'reader'],
    ['stats-port', 'stats'],
  ] as const) {
    const p = port(v[flag], flag);
    if (p !== undefined) ports[key] = p;
  }
  if (Object.keys(ports).length > 0) labOptions.ports = ports;
  const bins: NonNullable<typeof labOptions.binaries> = {};
  if (v['patroni-bin']) bins.patroni = v['patroni-bin'];
  if (v['patroni-pythonpath']) bins.patroniPythonPath = v['patroni-pythonpath'];
  if (v['etcd-bin']) bins.etcd = v['etcd-bin'];
  if (v['pg-bin-dir']) bins.pgBinDir = v['pg-bin-dir'];
  if (v['haproxy-bin']) bins.haproxy = v['haproxy-bin'];
  if (Object.keys(bins).length > 0) labOptions.binaries = bins;
  const onProgress = lineProgress(io, Boolean(v.quiet || v.json));
  if (onProgress) labOptions.onProgress = onProgress;
  const lab = new Lab(labOptions);
  const needsMember = ['kill', 'stop', 'start', 'partition'];
  if (needsMember.includes(action) && !member)
    throw usageError(
      `lab ${action} needs a member name (n1, n2, n3${action === 'kill' ? '' : ', e1, e2, e3'})`,
    );
  if (!needsMember.includes(action) && action !== 'heal' && member)
    throw usageError(`lab ${action} takes no member`);

  switch (action) {
    case 'up': {
      const status = await lab.up(io.signal);
      io.stdout.write(v.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
      return ExitCode.ok;
    }
    case 'status': {
      if (!lab.exists()) {
        if (v.json) io.stdout.write(`${JSON.stringify({ dir: lab.dir, running: false, exists: false })}\n`);
        else io.stdout.write(`No lab in ${lab.dir}. Start one with \`patroni-kit lab up\`.\n`);
        return ExitCode.failed;
      }
      const status = await lab.status(io.signal);
      io.stdout.write(v.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
      return status.running ? ExitCode.ok : ExitCode.failed;
    }
    case 'down': {
      const existed = lab.exists();
      const result = await lab.down({ purge: Boolean(v.purge) });
      if (v.json) io.stdout.write(`${JSON.stringify({ dir: lab.dir, ...result })}\n`);
      else if (!existed && !result.purged) io.stdout.write(`No lab in ${lab.dir}: nothing to stop.\n`);
      else {
        io.stdout.write(
          result.stopped.length > 0 ? `Stopped: ${result.stopped.join(', ')}.\n` : 'Nothing was running.\n',
        );
        if (result.purged) io.stdout.write(`Deleted ${lab.dir}.\n`);
      }
      return ExitCode.ok;
    }
    case 'kill':
      await lab.kill(member!, io.signal);
      io.stdout.write(`Killed ${member} (Patroni and PostgreSQL, SIGKILL).\n`);
      return ExitCode.ok;
    case 'stop':
      await lab.stop(member!, io.signal);
      io.stdout.write(`Stopped ${member}.\n`);
      return ExitCode.ok;
    case 'start':
      await lab.start(member!);
      io.stdout.write(`Started ${member}.\n`);
      return ExitCode.ok;
    case 'partition':
      if (v.ports !== undefined) {
        const list = v.ports.split(',').map((p) => port(p.trim(), 'ports')!);
        await lab.blockPorts(member!, list, io.signal);
        io.stdout.write(
          `Blocked incoming TCP to ${list.join(', ')} on ${member}'s host. Undo with \`patroni-kit lab heal\`.\n`,
        );
        return ExitCode.ok;
      }
      await lab.partition(member!, io.signal);
      io.stdout.write(
        `Partitioned ${member}: its host is cut off in both directions. Undo with \`patroni-kit lab heal\`.\n`,
      );
      return ExitCode.ok;
    case 'heal':
      await lab.heal(member);
      io.stdout.write(member ? `Healed ${member}.\n` : 'Healed all partitions.\n');
      return ExitCode.ok;
    default:
      throw usageError(`unknown action '${action}'`);
  }
}

const command: CommandModule = {
  summary: 'run a real three-node Patroni + etcd + HAProxy cluster on this machine',
  usage,
  run,
};
export default command;
