/** `patroni-kit provision plan|apply|status SPEC`: a cluster spec applied over SSH in the recipe's order. */
import { parseArgs } from 'node:util';
import { PatroniKitError } from '@patroni-kit/errors';
import type { CommandIO, CommandModule } from '../command.js';
import { ExitCode } from '../command.js';

const usage = `Usage: patroni-kit provision plan|apply|status|rotate-passwords SPEC [options]

Turns a cluster spec (schemas/cluster-spec.schema.json, docs/provision-spec.md) into patroni.yml, etcd,
HAProxy, systemd and webhook files and applies them over SSH in the production recipe's order: packages;
drop the package cluster; etcd on the etcd nodes and endpoint health; Patroni on the first node until a
leader holds the lock; replicas one at a time until each streams; HAProxy; a write through the writer
port and a read through the reader port.

  plan     show every file diff and command per host; changes nothing
  apply    change what differs; a second apply changes nothing; after a failure, apply again continues
  status   services and Patroni role per host, and the last apply's outcome
  rotate-passwords
           new passwords for every role into SPEC.secrets.json; the next apply sets them on the leader
           (ALTER ROLE, SQL on stdin), then rewrites patroni.yml and pgpass everywhere and reloads

Passwords are generated on first use into SPEC.secrets.json (mode 0600). Host keys are checked against
known_hosts (ssh.knownHosts) or a pinned ssh.hostKey; an unknown or changed key is refused.

Options:
  --json              one JSON event per line, then the result
  --diff              apply: print the diff of every changed file (plan always does)
  -q, --quiet         apply: print only changes, waits and the result
  --wait-timeout S    longest wait for a condition (default 180)
  --timeout S         longest single remote command, e.g. package installation (default 600)`;

const options = {
  json: { type: 'boolean' },
  diff: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  'wait-timeout': { type: 'string' },
  timeout: { type: 'string' },
} as const;

function seconds(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0)
    throw new PatroniKitError('USAGE', `--${name} must be a positive number of seconds`);
  return Math.round(n * 1000);
}

const secs = (ms: number | undefined) => (ms === undefined ? '' : ` (${(ms / 1000).toFixed(1)} s)`);

async function run(argv: string[], io: CommandIO): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new PatroniKitError('USAGE', (err as Error).message, {
      hint: 'see `patroni-kit provision --help`',
    });
  }
  const { values, positionals } = parsed;
  const [action, file, ...extra] = positionals;
  if (
    !action ||
    !['plan', 'apply', 'status', 'rotate-passwords'].includes(action) ||
    !file ||
    extra.length > 0
  ) {
    throw new PatroniKitError('USAGE', 'expected `provision plan|apply|status|rotate-passwords SPEC`', {
      hint: 'see `patroni-kit provision --help`',
    });
  }
  const p = await import('@patroni-kit/provision');
  const spec = await p.loadSpec(file, io.signal);
  const out = (s: string) => io.stdout.write(s);
  const json = Boolean(values.json);

  if (action === 'rotate-passwords') {
    await p.rotateSecrets(spec.secretsFile);
    if (json)
      out(`${JSON.stringify({ type: 'result', rotationPending: true, secretsFile: spec.secretsFile })}\n`);
    else
      out(
        `new passwords written to ${spec.secretsFile}; run \`patroni-kit provision apply ${file}\` to set them\n`,
      );
    return ExitCode.ok;
  }

  if (action === 'status') {
    const st = await p.status(spec, { signal: io.signal });
    if (json) {
      out(`${JSON.stringify(st)}\n`);
    } else {
      for (const h of st.hosts) {
        const svc = Object.entries(h.services)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ');
        out(
          `${h.name.padEnd(12)} ${h.reachable ? `${svc}${h.role ? ` role=${h.role}/${h.state ?? '?'}` : ''}` : `unreachable: ${h.error}`}\n`,
        );
      }
      if (st.last) {
        out(`last apply ${st.last.at}: ${st.last.result}, ${st.last.changes} change(s)${secs(st.last.ms)}\n`);
        if (st.last.failure)
          out(
            `  failed on ${st.last.failure.host} at '${st.last.failure.step}' (${st.last.failure.phase})\n`,
          );
      } else out('no apply recorded yet\n');
    }
    return st.hosts.every((h) => h.reachable) ? ExitCode.ok : ExitCode.failed;
  }

  const mode = action as 'plan' | 'apply';
  const quiet = Boolean(values.quiet);
  const showDiff = mode === 'plan' || Boolean(values.diff);
  const onEvent = (e: import('@patroni-kit/provision').ProvisionEvent) => {
    if (json) return void out(`${JSON.stringify(e)}\n`);
    switch (e.type) {
      case 'phase':
        out(`[${e.index}/${e.total}] ${e.title}\n`);
        break;
      case 'connected':
        if (!quiet) out(`  ${e.host.padEnd(12)} connected${secs(e.ms)}\n`);
        break;
      case 'note':
        out(`note: ${e.host ? `${e.host}: ` : ''}${e.message}\n`);
        break;
      case 'file':
        if (quiet && e.status === 'unchanged') break;
        out(`  ${e.host.padEnd(12)} ${e.status.padEnd(12)} ${e.path}\n`);
        if (showDiff && e.diff) out(`${e.diff.replace(/\n$/, '').replace(/^/gm, '      ')}\n`);
        break;
      case 'config':
        if (quiet && e.status === 'unchanged') break;
        out(`  ${e.host.padEnd(12)} ${e.status.padEnd(12)} dynamic configuration (DCS)\n`);
        for (const c of e.changes) out(`      ${c}\n`);
        break;
      case 'command':
        if (quiet && e.status === 'ok') break;
        out(
          `  ${e.host.padEnd(12)} ${(e.status === 'ok' ? 'ok' : e.status).padEnd(12)} ${e.step}${secs(e.ms)}\n`,
        );
        if (e.status === 'would-run') out(`      $ ${e.command.replace(/\n/g, '\n        ')}\n`);
        break;
      case 'wait':
        if (e.status === 'waiting') break;
        out(
          `  ${e.host.padEnd(12)} ${e.status.padEnd(12)} ${e.what}${e.detail ? `: ${e.detail}` : ''}${secs(e.ms)}\n`,
        );
        break;
    }
  };
  const opts = {
    signal: io.signal,
    onEvent,
    ...(values['wait-timeout'] ? { waitTimeoutMs: seconds(values['wait-timeout'], 'wait-timeout')! } : {}),
    ...(values.timeout ? { commandTimeoutMs: seconds(values.timeout, 'timeout')! } : {}),
  };
  const result = mode === 'plan' ? await p.plan(spec, opts) : await p.apply(spec, opts);
  if (json) out(`${JSON.stringify({ type: 'result', ...result })}\n`);
  else if (mode === 'plan') {
    out(
      result.changes === 0
        ? 'plan: nothing to change; the hosts match the spec\n'
        : `plan: ${result.changes} change(s) to make (nothing was changed)\n`,
    );
  } else {
    out(
      result.changes === 0
        ? `apply: nothing to change; the hosts match the spec${secs(result.ms)}\n`
        : `apply: done, ${result.changes} change(s)${result.leader ? `; leader ${result.leader}` : ''}${secs(result.ms)}\n`,
    );
  }
  return ExitCode.ok;
}

const command: CommandModule = {
  summary: 'plan, apply or check a cluster spec over SSH (packages, etcd, Patroni, HAProxy)',
  usage,
  run,
};
export default command;
