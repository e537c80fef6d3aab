/** The command logic's pure parts: targets, confirmations, reports, documents, pgpass, lab options. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readYaml } from '@patroni-kit/config';
import { configDocument, lintConfigDocument } from '../src/model/commands/config.js';
import { labOptions } from '../src/model/commands/lab.js';
import { candidateItems } from '../src/model/commands/leader.js';
import { parseDsn, pgpassField, psqlLaunch } from '../src/model/commands/psql.js';
import { confirmCommand, describeResult, pickCluster, targetOfNodeId } from '../src/model/commands/ui.js';
import { dsnWithUser, historyMarkdown } from '../src/model/commands/views.js';
import type { ClusterView } from '../src/model/operations.js';
import { commandContext, memoryStore, scriptedUi } from './scripted-ui.js';

const dist = join(dirname(fileURLToPath(import.meta.url)), '../src/model');

describe('command logic (no cluster)', () => {
  it('reads the cluster and member from tree node ids', () => {
    assert.deepEqual(targetOfNodeId('cluster/abc'), { clusterId: 'abc' });
    assert.deepEqual(targetOfNodeId('cluster/abc/member/n2'), { clusterId: 'abc', member: 'n2' });
    assert.deepEqual(targetOfNodeId('cluster/abc/member/n2/detail/host'), { clusterId: 'abc', member: 'n2' });
    assert.deepEqual(targetOfNodeId('cluster/abc/etcd'), { clusterId: 'abc' });
    assert.deepEqual(targetOfNodeId(undefined), {});
  });

  it('asks which cluster only when there are several', async () => {
    const { store } = memoryStore();
    const { ui, shown } = scriptedUi({ pick: (items) => items[1]?.label });
    const ctx = commandContext(store, ui);
    assert.equal(await pickCluster(ctx, {}), undefined);
    assert.match(shown.messages[0]!.text, /no cluster is saved yet/);
    const a = await store.add({ name: 'a', source: { kind: 'rest', urls: ['http://127.0.105.11:8008'] } });
    assert.equal((await pickCluster(ctx, {}))?.id, a.id);
    assert.equal(shown.picks.length, 0);
    const b = await store.add({ name: 'b', source: { kind: 'rest', urls: ['http://127.0.105.12:8008'] } });
    assert.equal((await pickCluster(ctx, {}))?.id, b.id);
    assert.deepEqual(
      shown.picks[0]!.items.map((i) => i.label),
      ['a', 'b'],
    );
  });

  it('a production cluster needs its exact name typed; others a modal with the button', async () => {
    const { store } = memoryStore();
    const prod = await store.add({
      name: 'pg-prod',
      production: true,
      source: { kind: 'rest', urls: ['http://127.0.105.11:8008'] },
    });
    const dev = await store.add({
      name: 'dev',
      source: { kind: 'rest', urls: ['http://127.0.105.12:8008'] },
    });
    const wrong = scriptedUi({ input: () => 'pg-pro' });
    assert.equal(
      await confirmCommand(
        commandContext(store, wrong.ui),
        'patroni.switchover',
        prod,
        'switch over',
        'plan',
        'Switchover',
      ),
      false,
    );
    assert.equal(wrong.shown.confirms.length, 0);
    assert.match(wrong.shown.inputs[0]!.prompt, /pg-prod is marked production/);
    assert.match(wrong.shown.inputs[0]!.validation ?? '', /is not pg-prod/);
    const right = scriptedUi({ input: () => 'pg-prod' });
    assert.equal(
      await confirmCommand(
        commandContext(store, right.ui),
        'patroni.switchover',
        prod,
        'switch over',
        'plan',
        'Switchover',
      ),
      true,
    );
    const modal = scriptedUi({ confirm: () => false });
    assert.equal(
      await confirmCommand(
        commandContext(store, modal.ui),
        'patroni.restart',
        dev,
        'restart n1',
        'detail',
        'Restart',
      ),
      false,
    );
    assert.deepEqual(modal.shown.confirms[0], {
      message: 'restart n1 on dev?',
      detail: 'detail',
      button: 'Restart',
    });
    // Harmless commands need nothing, also on production.
    const none = scriptedUi({ confirm: () => false });
    assert.equal(
      await confirmCommand(commandContext(store, none.ui), 'patroni.reload', prod, 'reload', '', 'Reload'),
      true,
    );
    assert.equal(none.shown.confirms.length + none.shown.inputs.length, 0);
  });

  it('reports say how the outcome was established', () => {
    assert.match(
      describeResult('Switchover on lab', {
        action: 'switchover',
        outcome: 'failed',
        reason: 'Member n3 is tagged nofailover',
        sent: false,
        check: 'candidate-failover-allowed',
      }),
      /failed: Member n3 is tagged nofailover \(pre-check candidate-failover-allowed refused; nothing was sent\)/,
    );
    assert.match(
      describeResult('Restart on lab', {
        action: 'restart',
        outcome: 'unknown',
        reason: 'the answer was lost',
        sent: true,
        members: [{ member: 'n1', outcome: 'unknown', reason: 'timeout' }],
      }),
      /unknown: the answer was lost — the write may or may not have taken effect.*\[n1 unknown \(timeout\)\]/,
    );
  });

  it('candidates are listed by member name with their verdict in words', () => {
    const view = { syncStandbys: ['n2'] } as unknown as ClusterView;
    const items = candidateItems(
      [
        { member: 'n2', ok: true, failed: [], reasons: [], lag: 0 },
        { member: 'n3', ok: false, failed: ['candidate-lag'], reasons: ['Member n3 lags 9 bytes'], lag: 9 },
      ],
      view,
    );
    assert.deepEqual(
      items.map((i) => [i.label, i.description]),
      [
        ['n2', 'ready'],
        ['n3', 'refused by pre-checks'],
      ],
    );
    assert.match(items[0]!.detail, /synchronous standby, running replica, lag 0 B/);
    assert.match(items[1]!.detail, /refused: Member n3 lags 9 bytes/);
  });

  it('the configuration document is YAML with a header, linted in dynamic mode', () => {
    const text = configDocument(
      { clusterId: 'c1', clusterName: 'lab', scope: 'lab', revision: '42', source: 'dcs' },
      { ttl: 30, loop_wait: 10, postgresql: { parameters: { max_connections: 100 } } },
    );
    assert.match(
      text,
      /^# Dynamic configuration of lab \(scope lab\), read from the DCS config key at revision 42/,
    );
    assert.match(text, /\nloop_wait: 10\n/);
    assert.deepEqual(
      lintConfigDocument(text).filter((f) => f.severity === 'error'),
      [],
    );
    const bad = lintConfigDocument(text.replace('ttl: 30', 'ttl: abc'));
    assert.ok(
      bad.some((f) => f.severity === 'error' && f.path === 'ttl'),
      JSON.stringify(bad),
    );
    // Strings that YAML 1.1 would read as booleans or octal numbers come back as the same strings.
    const tricky = { postgresql: { parameters: { hot_standby: 'on', wal_log_hints: 'yes' } }, mode: '0755' };
    const doc = configDocument({ clusterId: 'c1', clusterName: 'lab', scope: 'lab', source: 'dcs' }, tricky);
    assert.deepEqual(readYaml(doc, 'doc'), tricky);
    // Dynamic mode: a patroni.yml-only key such as `name` is not dynamic configuration.
    const local = lintConfigDocument(`${text}name: n1\n`);
    assert.ok(
      local.some((f) => f.path === 'name'),
      JSON.stringify(local),
    );
  });

  it('pgpass: escaped fields, 0600 in a private folder, never in argv, removed by cleanup', () => {
    assert.equal(pgpassField('a:b\\c'), 'a\\:b\\\\c');
    assert.deepEqual(parseDsn('host=127.0.105.11 port=5432'), { host: '127.0.105.11', port: '5432' });
    const launch = psqlLaunch({
      cluster: 'lab',
      member: 'n1',
      dsn: 'host=127.0.105.11 port=5432',
      login: { user: 'postgres', password: 'p:w\\d' },
    });
    assert.deepEqual(launch.shellArgs, ['host=127.0.105.11 port=5432 user=postgres dbname=postgres']);
    assert.ok(!JSON.stringify(launch.shellArgs).includes('p:w'));
    assert.ok(launch.pgpassFile && launch.env.PGPASSFILE === launch.pgpassFile);
    assert.equal(launch.env.PGPASSWORD, undefined);
    assert.equal(statSync(launch.pgpassFile).mode & 0o777, 0o600);
    assert.equal(statSync(dirname(launch.pgpassFile)).mode & 0o777, 0o700);
    assert.equal(readFileSync(launch.pgpassFile, 'utf8'), '127.0.105.11:5432:*:postgres:p\\:w\\\\d\n');
    launch.cleanup();
    assert.equal(existsSync(dirname(launch.pgpassFile)), false);
    launch.cleanup();
    const noPw = psqlLaunch({ cluster: 'lab', member: 'n1', dsn: 'host=h port=1', login: {} });
    assert.equal(noPw.pgpassFile, undefined);
    assert.equal(noPw.env.PGPASSFILE, undefined);
  });

  it('a copied DSN never carries a password', () => {
    assert.equal(dsnWithUser('host=h port=5432', 'postgres'), 'host=h port=5432 user=postgres');
    assert.equal(dsnWithUser('host=h port=5432 password=x', undefined), 'host=h port=5432');
  });

  it('history is newest first; lab options check the network setting', () => {
    const md = historyMarkdown('lab', [
      { timeline: 1, lsn: 100, reason: 'no recovery target specified', newLeader: 'n2' },
      { timeline: 2, lsn: 200, reason: 'no recovery target specified', newLeader: 'n1' },
    ]);
    assert.ok(md.indexOf('| 2 → 3 |') < md.indexOf('| 1 → 2 |'));
    assert.deepEqual(labOptions({ dir: '/x', net: '127.0.105' }).hosts, [
      '127.0.105.11',
      '127.0.105.12',
      '127.0.105.13',
    ]);
    assert.throws(() => labOptions({ dir: '/x', net: '10.0.0' }), /loopback \/24/);
  });

  it('command logic and the SDK wrapper do not import vscode', () => {
    for (const f of [
      'operations.js',
      'commands/ui.js',
      'commands/leader.js',
      'commands/members.js',
      'commands/config.js',
      'commands/views.js',
      'commands/psql.js',
      'commands/lab.js',
    ])
      assert.doesNotMatch(readFileSync(join(dist, f), 'utf8'), /from 'vscode'|require\('vscode'\)/, f);
  });
});
