/**
 * The real lab for the UI suite, driven the way a user drives it: `patroni-kit lab up|kill|down` and
 * `patroni-kit list` as child processes, and Patroni's own `patronictl list` (through the lab's launcher) to
 * confirm what the tree shows.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Lab } from '@patroni-kit/lab';
import { REPO, run, until } from './harness.js';

const CLI = join(REPO, 'packages/cli/dist/src/main.js');

/** One member row of `patronictl list -f json`. */
export interface CtlMember {
  Member: string;
  Host: string;
  Role: string;
  State: string;
  TL?: number;
}

/** A lab in a temp dir at `net`.11-13 (HAProxy at `net`.1), with the fast timing profile. */
export class UiLab {
  readonly dir: string;
  readonly net: string;
  readonly #lab: Lab;

  constructor(net: string) {
    this.net = net;
    // The lab runs PostgreSQL as postgres when we are root: the folder must be traversable.
    const parent = mkdtempSync(join(tmpdir(), 'pk-ui-lab-'));
    chmodSync(parent, 0o755);
    this.dir = join(parent, 'lab');
    this.#lab = new Lab({ dir: this.dir });
  }

  /** `patroni-kit ARGS` (bounded). */
  cli(args: string[], timeoutMs = 120_000): Promise<string> {
    return run(process.execPath, [CLI, ...args], { timeoutMs });
  }

  /** `lab up` and wait until healthy (the CLI waits itself). */
  async up(): Promise<void> {
    await this.cli(['lab', 'up', '--net', this.net, '--dir', this.dir, '--fast', '--quiet'], 240_000);
  }

  /** `lab down --purge`: stops everything the lab started and deletes its folder. */
  async down(): Promise<void> {
    await this.cli(['lab', 'down', '--purge', '--quiet', '--dir', this.dir], 120_000).catch((err) =>
      console.error(`lab down: ${String(err)}`),
    );
    rmSync(dirname(this.dir), { recursive: true, force: true });
  }

  /** `lab kill MEMBER` (SIGKILL of its Patroni and PostgreSQL). */
  async kill(member: string): Promise<void> {
    await this.cli(['lab', 'kill', member, '--dir', this.dir]);
  }

  /** `lab start MEMBER`. */
  async start(member: string): Promise<void> {
    await this.cli(['lab', 'start', member, '--dir', this.dir]);
  }

  /** The lab's patronictl config (etcd3 hosts, REST credentials). */
  get ctlConfig(): string {
    return join(this.dir, 'patronictl.yml');
  }

  /** The etcd URL of the first member, as a user types it into Add Cluster. */
  get dcsUrl(): string {
    return `etcd3://${this.net}.11:2379`;
  }

  /** Members as Patroni's own `patronictl list -f json` reports them. */
  async patronictl(): Promise<CtlMember[]> {
    return JSON.parse(await this.#lab.patronictl(['list', '-f', 'json'])) as CtlMember[];
  }

  /** The leader by patronictl (undefined while there is none). */
  async ctlLeader(): Promise<string | undefined> {
    return (await this.patronictl()).find((m) => m.Role === 'Leader')?.Member;
  }

  /** Members as the CLI's `list --format json` reports them. */
  async list(): Promise<CtlMember[]> {
    return JSON.parse(
      await this.cli(['list', '-c', this.ctlConfig, '--format', 'json'], 30_000),
    ) as CtlMember[];
  }

  /** The dynamic configuration in the DCS, as `patroni-kit show-config --json` reads it. */
  async dcsConfig(): Promise<Record<string, unknown>> {
    return JSON.parse(await this.cli(['show-config', '-c', this.ctlConfig, '--json'], 30_000)) as Record<
      string,
      unknown
    >;
  }

  /** Waits until both replicas stream again with one leader (after a switchover or failover). */
  async settled(timeoutMs = 90_000): Promise<CtlMember[]> {
    return until(
      'one leader and two streaming replicas',
      async () => {
        const ms = await this.patronictl();
        const leaders = ms.filter((m) => m.Role === 'Leader' && m.State === 'running');
        const streaming = ms.filter((m) => m.Role === 'Replica' && m.State === 'streaming');
        return leaders.length === 1 && streaming.length === 2 ? ms : undefined;
      },
      timeoutMs,
      1000,
    );
  }
}
