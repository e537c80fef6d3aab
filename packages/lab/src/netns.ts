/**
 * The `--netns` topology: one network namespace per host, joined by a bridge in the root namespace.
 *
 * Members get addresses from 198.18.0.0/15 (reserved for network tests, RFC 2544) so the lab never
 * collides with a user's networks. A blackhole route for the whole /15 in the root namespace guards it:
 * only our bridge's /24 is more specific, so nothing for that range ever leaves the machine.
 * A partition is two DROP rules on the member's own eth0 inside its namespace: both directions are cut,
 * while Patroni still reaches its own PostgreSQL and etcd member over the namespace's loopback.
 */
import { execFile } from 'node:child_process';
import { PatroniKitError } from '@patroni-kit/errors';

const GUARD = '198.18.0.0/15';

/** Names and addresses of a netns lab. */
export interface NetnsPlan {
  prefix: string;
  bridge: string;
  bridgeAddress: string;
  /** e.g. 198.18.0.0/24 */
  subnet: string;
  namespaces: [string, string, string];
  hosts: [string, string, string];
}

/** The plan for a given prefix (short: interface names are limited to 15 characters) and third octet. */
export function netnsPlan(prefix = 'pk', octet = 0): NetnsPlan {
  if (!/^[a-z][a-z0-9]{0,7}$/.test(prefix)) {
    throw new PatroniKitError(
      'USAGE',
      `netns prefix '${prefix}' must be 1-8 lowercase letters or digits, starting with a letter`,
    );
  }
  const net = `198.18.${octet}`;
  return {
    prefix,
    bridge: `${prefix}-br`,
    bridgeAddress: `${net}.1`,
    subnet: `${net}.0/24`,
    namespaces: [`${prefix}-n1`, `${prefix}-n2`, `${prefix}-n3`],
    hosts: [`${net}.11`, `${net}.12`, `${net}.13`],
  };
}

function run(args: string[], allowFail = false): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(args[0]!, args.slice(1), { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err && !allowFail) {
        reject(
          new PatroniKitError('LAB', `\`${args.join(' ')}\` failed: ${stderr.trim() || err.message}`, {
            cause: err,
          }),
        );
      } else resolve(stdout);
    });
  });
}

/** Whether the namespaces of `plan` exist. */
export async function netnsExists(plan: NetnsPlan): Promise<boolean> {
  const out = await run(['ip', 'netns', 'list'], true);
  return plan.namespaces.every((ns) => out.split('\n').some((l) => l.split(' ')[0] === ns));
}

/** Creates namespaces, veths and the bridge; idempotent. Needs root. */
export async function createNetwork(plan: NetnsPlan): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new PatroniKitError(
      'USAGE',
      'the netns topology needs root (it creates network namespaces and a bridge)',
      {
        hint: 'run as root, or use the default loopback topology (no --netns)',
      },
    );
  }
  const routes = await run(['ip', 'route', 'show', GUARD], true);
  if (!routes.includes('blackhole')) await run(['ip', 'route', 'add', 'blackhole', GUARD]);
  const links = await run(['ip', '-o', 'link', 'show'], true);
  if (!links.includes(` ${plan.bridge}:`)) {
    await run(['ip', 'link', 'add', plan.bridge, 'type', 'bridge']);
    await run(['ip', 'addr', 'add', `${plan.bridgeAddress}/24`, 'dev', plan.bridge]);
  }
  await run(['ip', 'link', 'set', plan.bridge, 'up']);
  for (let i = 0; i < 3; i++) await attachNamespace(plan, i + 1, plan.hosts[i]!);
}

/**
 * Creates namespace `PREFIX-nN` with eth0 at `address` on the plan's bridge (veth `PREFIX-vN`); idempotent.
 * createNetwork attaches N = 1..3; callers that need more hosts on the same subnet attach N = 4, 5, ...
 */
export async function attachNamespace(plan: NetnsPlan, n: number, address: string): Promise<string> {
  const ns = `${plan.prefix}-n${n}`;
  const veth = `${plan.prefix}-v${n}`;
  const existing = await run(['ip', 'netns', 'list'], true);
  if (existing.split('\n').some((l) => l.split(' ')[0] === ns)) return ns;
  const links = await run(['ip', '-o', 'link', 'show'], true);
  // A veth left from a namespace deleted a moment ago (the kernel frees them asynchronously).
  if (links.includes(` ${veth}@`) || links.includes(` ${veth}:`))
    await run(['ip', 'link', 'del', veth], true);
  await run(['ip', 'netns', 'add', ns]);
  await run(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
  await run(['ip', 'link', 'add', 'eth0', 'netns', ns, 'type', 'veth', 'peer', 'name', veth]);
  await run(['ip', 'link', 'set', veth, 'master', plan.bridge]);
  await run(['ip', 'link', 'set', veth, 'up']);
  await run(['ip', '-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
  await run(['ip', '-n', ns, 'link', 'set', 'eth0', 'up']);
  return ns;
}

/** Removes a namespace made by {@link attachNamespace}. */
export async function detachNamespace(plan: NetnsPlan, n: number): Promise<void> {
  await run(['ip', 'link', 'del', `${plan.prefix}-v${n}`], true);
  await run(['ip', 'netns', 'del', `${plan.prefix}-n${n}`], true);
}

/** Removes namespaces, bridge and (when no other lab bridge uses the range) the guard route. */
export async function deleteNetwork(plan: NetnsPlan): Promise<void> {
  // Deleting our end of each veth removes the pair at once; the namespace's own cleanup is asynchronous.
  for (let i = 1; i <= 3; i++) await run(['ip', 'link', 'del', `${plan.prefix}-v${i}`], true);
  for (const ns of plan.namespaces) await run(['ip', 'netns', 'del', ns], true);
  await run(['ip', 'link', 'del', plan.bridge], true);
  const routes = await run(['ip', 'route', 'show'], true);
  const othersUseRange = routes.split('\n').some((l) => l.startsWith('198.18.') && !l.includes(plan.bridge));
  if (!othersUseRange) await run(['ip', 'route', 'del', 'blackhole', GUARD], true);
}

const RULES: Array<[string, string]> = [
  ['INPUT', '-i'],
  ['OUTPUT', '-o'],
];

/** The iptables command that adds (-A) or deletes (-D) one of our DROP rules inside `ns`. */
function ruleCommand(ns: string, action: '-A' | '-D', [chain, dir]: [string, string]): string[] {
  const rule = [chain, dir, 'eth0', '-j', 'DROP', '-m', 'comment', '--comment', 'patroni-kit-partition'];
  return ['ip', 'netns', 'exec', ns, 'iptables', action, ...rule];
}

/** Cuts the namespace's eth0 in both directions. */
export async function partition(ns: string): Promise<void> {
  if (await isPartitioned(ns)) return;
  for (const r of RULES) await run(ruleCommand(ns, '-A', r));
}

/** Removes the partition rules and any port blocks ({@link blockPorts}). */
export async function heal(ns: string): Promise<void> {
  // Bounded: a rule that cannot be deleted must not loop forever.
  for (let i = 0; i < 5; i++) {
    const rules = (await run(['ip', 'netns', 'exec', ns, 'iptables', '-S'], true))
      .split('\n')
      .filter((l) => l.startsWith('-A ') && l.includes('patroni-kit-'));
    if (rules.length === 0) return;
    // `iptables -S` prints each rule as the arguments that created it; -A becomes -D to delete it.
    for (const rule of rules) {
      const args = rule.trim().split(/\s+/);
      args[0] = '-D';
      await run(['ip', 'netns', 'exec', ns, 'iptables', ...args], true);
    }
  }
}

/** Whether our partition rules are present in the namespace. */
export async function isPartitioned(ns: string): Promise<boolean> {
  const out = await run(['ip', 'netns', 'exec', ns, 'iptables', '-S'], true);
  return out.includes('patroni-kit-partition');
}

/**
 * Drops incoming TCP to `ports` on every interface of the namespace, exactly as the production recipe's
 * drill does (`iptables -A INPUT -p tcp --dport 5432 -j DROP`): unlike a partition, the host's etcd
 * traffic and its outgoing connections keep flowing.
 */
export async function blockPorts(ns: string, ports: number[]): Promise<void> {
  const current = await run(['ip', 'netns', 'exec', ns, 'iptables', '-S', 'INPUT'], true);
  for (const p of ports) {
    if (!Number.isInteger(p) || p < 1 || p > 65535)
      throw new PatroniKitError('USAGE', `port ${p} must be an integer from 1 to 65535`);
    const comment = `patroni-kit-block-${p}`;
    if (current.includes(comment)) continue;
    await run([
      'ip',
      'netns',
      'exec',
      ns,
      'iptables',
      '-A',
      'INPUT',
      '-p',
      'tcp',
      '--dport',
      String(p),
      '-j',
      'DROP',
      '-m',
      'comment',
      '--comment',
      comment,
    ]);
  }
}

/** The ports blocked by {@link blockPorts} in the namespace. */
export async function blockedPorts(ns: string): Promise<number[]> {
  const out = await run(['ip', 'netns', 'exec', ns, 'iptables', '-S', 'INPUT'], true);
  return [...out.matchAll(/patroni-kit-block-(\d+)/g)].map((m) => Number(m[1]));
}
