/**
 * Regression (issue 8 item 3): right after `patroni-kit lab up` with the default timing (loop_wait 10), the
 * replicas' DCS member keys can still show a lag of a whole WAL segment while their own `GET /patroni` shows
 * they received everything. `switchover --candidate n2 --force` must not be refused on that stale lag: the
 * pre-checks use the members' REST answers. Lab on 127.0.101.11-13, HAProxy 127.0.101.1 (Patroni 4.0.7).
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Cluster, type ClusterView, maxLagOnFailover, planSwitchover } from '@patroni-kit/cluster';
import { Lab } from '@patroni-kit/lab';
import { labDir, pollUntil, runCli } from './helpers.js';

describe('switchover right after lab up (default timing)', { timeout: 15 * 60_000 }, () => {
  const dir = labDir('fresh');
  after(async () => {
    await runCli(['lab', 'down', '--purge', '--dir', dir], 180_000);
    rmSync(dirname(dir), { recursive: true, force: true });
  });

  it('is not refused on a stale DCS lag: the candidate is checked by REST, and the switchover completes', async (t) => {
    const up = await runCli(['lab', 'up', '--net', '127.0.101', '--dir', dir, '-q'], 600_000);
    assert.equal(up.code, 0, up.stdout + up.stderr);
    const ctl = join(dir, 'patronictl.yml');
    const before = JSON.parse((await runCli(['list', '-c', ctl, '-f', 'json'])).stdout) as Array<{
      Member: string;
      Role: string;
      'Lag in MB'?: number | string;
    }>;
    const leader = before.find((r) => r.Role === 'Leader')!.Member;
    // What the DCS member keys said just before (patronictl's Lag in MB); often a whole segment right after up.
    t.diagnostic(
      `DCS lag before the switchover: ${JSON.stringify(before.map((r) => [r.Member, r['Lag in MB']]))}`,
    );
    const candidate = leader === 'n2' ? 'n3' : 'n2';
    // Make the DCS lag stale on purpose: a WAL segment switch on the leader shows up in the leader's optime key
    // before the candidate's member key catches up (up to loop_wait later), while the candidate's own
    // GET /patroni already shows it received the segment. Bounded: a few tries.
    const { username, password } = new Lab({ dir }).credentials().superuser;
    const sdk = await Cluster.connect({ configFile: ctl });
    let stale: ClusterView;
    try {
      await sdk.query('create table if not exists fresh_check (x int)', { username, password });
      stale = await pollUntil(
        async () => {
          await sdk.query('insert into fresh_check values (1)', { username, password });
          await sdk.query('select pg_switch_wal()', { username, password });
          for (let i = 0; i < 20; i++) {
            const v = await sdk.status();
            const lag = v.members.find((m) => m.name === candidate)?.lag;
            // The regression's situation: the DCS key still shows the old lag while the candidate's own
            // REST answer already shows the new segment (a REST read right after the switch can itself be a
            // moment behind; then look again).
            if (typeof lag === 'number' && lag > maxLagOnFailover(v) && planSwitchover(v, { candidate }).ok)
              return v;
            await new Promise((r) => setTimeout(r, 100));
          }
          return undefined;
        },
        120_000,
        `a DCS lag above maximum_lag_on_failover for ${candidate} while its REST position is current`,
      );
    } finally {
      await sdk.close();
    }
    // On that very view the old check (DCS lag) refuses; the fresh one (REST positions) does not.
    const onStale = planSwitchover(stale, { candidate });
    const staleVerdict = onStale.verdicts.find((v) => v.member === candidate)!;
    t.diagnostic(
      `stale DCS lag ${String(stale.members.find((m) => m.name === candidate)?.lag)}; REST lag ${String(staleVerdict.lag)}`,
    );
    assert.equal(onStale.ok, true, onStale.reason);
    assert.equal(staleVerdict.source, 'rest');
    const res = await runCli(
      ['switchover', '-c', ctl, '--candidate', candidate, '--force', '--json'],
      300_000,
    );
    const result = JSON.parse(res.stdout) as {
      outcome: string;
      reason: string;
      check?: string;
      details?: { plan?: { verdicts: Array<{ member: string; source: string; lag?: number }> } };
    };
    assert.equal(res.code, 0, `${res.stdout}\n${res.stderr}`);
    assert.equal(result.outcome, 'succeeded', result.reason);
    const verdict = result.details?.plan?.verdicts.find((v) => v.member === candidate);
    assert.equal(verdict?.source, 'rest', JSON.stringify(verdict));
    const after = JSON.parse((await runCli(['list', '-c', ctl, '-f', 'json'])).stdout) as Array<{
      Member: string;
      Role: string;
    }>;
    assert.equal(after.find((r) => r.Role === 'Leader')?.Member, candidate);
    // The lab really ran with the default timing (loop_wait 10), where DCS member keys are up to 10 s old.
    const config = await runCli(['show-config', '-c', ctl]);
    assert.match(config.stdout, /^loop_wait: 10$/m);
  });
});
