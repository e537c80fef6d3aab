import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkTypedName, confirmationFor, DANGEROUS_COMMANDS } from '../src/model/production.js';

describe('production-marked clusters', () => {
  it('dangerous commands on a production cluster need the typed name', () => {
    const c = confirmationFor('patroni.switchover', { name: 'pg-prod', production: true }, 'switch over');
    assert.equal(c.kind, 'typed-name');
    assert.ok(c.kind === 'typed-name' && c.expected === 'pg-prod' && c.prompt.includes('pg-prod'));
  });

  it('other clusters get a modal; harmless commands need nothing', () => {
    assert.equal(confirmationFor('patroni.failover', { name: 'dev' }, 'fail over').kind, 'modal');
    assert.equal(
      confirmationFor('patroni.copyDsn', { name: 'pg-prod', production: true }, 'copy').kind,
      'none',
    );
    assert.equal(
      confirmationFor('patroni.history', { name: 'pg-prod', production: true }, 'show').kind,
      'none',
    );
    for (const id of [
      'patroni.switchover',
      'patroni.failover',
      'patroni.restart',
      'patroni.reinit',
      'patroni.editConfig',
    ])
      assert.ok(DANGEROUS_COMMANDS.has(id), id);
  });

  it('the typed name must match exactly', () => {
    assert.equal(checkTypedName('pg-prod', 'pg-prod'), undefined);
    assert.match(checkTypedName('pg-prod', 'PG-PROD') ?? '', /not pg-prod/);
    assert.match(checkTypedName('pg-prod', 'pg-prod ') ?? '', /not pg-prod/);
    assert.match(checkTypedName('pg-prod', '') ?? '', /type pg-prod/);
    assert.match(checkTypedName('pg-prod', undefined) ?? '', /type pg-prod/);
  });
});
