import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeError, isPatroniKitError, PatroniKitError, redact } from '../src/index.js';

test('redact removes URL credentials, passwords and authorization headers', () => {
  assert.equal(redact('postgres://admin:s3cr3t@db:5432/x'), 'postgres://admin:***@db:5432/x');
  assert.equal(redact('password=hunter2 host=a'), 'password=*** host=a');
  assert.equal(redact('{"password": "p@ss"}'), '{"password": "***"}');
  assert.equal(redact('Authorization: Basic dXNlcjpwYXNz'), 'Authorization: Basic ***');
  assert.equal(redact('nothing secret here'), 'nothing secret here');
});

test('PatroniKitError carries code, status, hint and a redacted cause', () => {
  const cause = new Error('connect failed for http://u:topsecret@h:8008');
  const err = new PatroniKitError('AUTH', 'login failed with password=abc', {
    status: 401,
    hint: 'set restapi.authentication',
    cause,
  });
  assert.equal(err.code, 'AUTH');
  assert.equal(err.status, 401);
  assert.ok(!err.message.includes('abc'));
  assert.ok(!String((err.cause as Error).message).includes('topsecret'));
  assert.match(err.describe(), /hint: set restapi/);
  assert.deepEqual(Object.keys(err.toJSON()).sort(), ['code', 'hint', 'message', 'name', 'status']);
  assert.ok(isPatroniKitError(err, 'AUTH'));
  assert.ok(!isPatroniKitError(err, 'TIMEOUT'));
  assert.equal(describeError(new Error('x password=1')), 'x password=***');
});

test('the README example prints what the README says, with the password redacted', async () => {
  const { execFileSync } = await import('node:child_process');
  const { readFileSync } = await import('node:fs');
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const code = /```js\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(code, 'the README has a js example');
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], {
    cwd: new URL('../../', import.meta.url),
    encoding: 'utf8',
    timeout: 30_000,
  });
  // Each `// ` comment line in the example is output the README promises.
  const promised = [...code.matchAll(/\/\/ (.+)$/gm)].map((m) => m[1]!.replace(/^ {2}/, '  '));
  for (const line of promised) assert.ok(out.includes(line.trim()), `output has: ${line}`);
  assert.doesNotMatch(out, /s3cret|hunter2/);
});

test('redact removes URL passwords holding / @ space : % # (issue 13)', () => {
  const passwords = ['pa/ss', 'p@ss', 'pa ss', 'a:b:c', 'per%cent', 'ha#sh', 'x/y@z w:%#', 'p@h:1/'];
  for (const pw of passwords) {
    for (const url of [
      `http://user:${pw}@db1:2379`,
      `postgres://user:${pw}@db1:5432/x`,
      `etcd3://u:${pw}@h1,h2`,
    ]) {
      const text = `cannot connect to ${url} (refused)`;
      const out = redact(text);
      assert.ok(!out.includes(pw), `${text} -> ${out}`);
      assert.match(out, /:\*\*\*@/);
    }
  }
  // A port is not a password.
  assert.equal(
    redact('GET http://127.0.0.1:8008/patroni failed'),
    'GET http://127.0.0.1:8008/patroni failed',
  );
});

test('registered secrets are redacted everywhere, also URL-encoded (issue 13)', async () => {
  const { registerSecret, redactUrl } = await import('../src/index.js');
  const pw = 'Zk7 /@:%#x';
  registerSecret(pw);
  assert.equal(redact(`the value '${pw}' is wrong`), "the value '***' is wrong");
  assert.equal(redact(`u=${encodeURIComponent(pw)}`), 'u=***');
  assert.equal(redactUrl('http://user:a@b/c@host:2379/x'), 'http://***@host:2379/x');
  const err = new PatroniKitError('DCS', `etcd failed`, {
    details: { endpoints: [`http://u:${pw}@h:1`] },
    cause: pw,
  });
  for (const text of [
    JSON.stringify(err),
    (await import('node:util')).inspect(err, { depth: 9 }),
    err.stack ?? '',
  ]) {
    assert.ok(!text.includes(pw), text);
  }
});
