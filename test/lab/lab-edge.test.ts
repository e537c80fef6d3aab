/** The lab's refusals and recoveries: each gives a clear message and does no damage. */
import assert from 'node:assert/strict';
import { chownSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { isPortFree, Lab, lookupUser, sql } from '@patroni-kit/lab';
import { createProbeTable, openDir, runCli, tempLabDir, writeRow } from './helpers.js';

describe('lab: usage errors', () => {
  test('down with no lab says so and exits 0', async () => {
    const dir = join(tempLabDir('none'), 'absent');
    const res = await runCli(['lab', 'down', '--dir', dir]);
    assert.equal(res.code, 0);
    assert.match(res.stdout, /No lab in .*nothing to stop/);
  });

  test('status with no lab exits 1 and says how to start one', async () => {
    const res = await runCli(['lab', 'status', '--dir', join(tempLabDir('none'), 'absent')]);
    assert.equal(res.code, 1);
    assert.match(res.stdout, /patroni-kit lab up/);
  });

  test('unknown actions, options and values exit 2 with a hint', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['lab', 'explode'], /unknown action 'explode'/],
      [['lab', 'kill'], /needs a member name/],
      [['lab', 'up', '--patroni', '9.9'], /--patroni must be 4\.0\.7 or 3\.0\.2/],
      [['lab', 'up', '--net', '10.0.0'], /--net takes the first three octets of a loopback/],
      [['lab', 'up', '--writer-port', '70000'], /--writer-port must be a port number/],
      [['lab', 'up', '--bogus'], /Unknown option '--bogus'/],
    ];
    for (const [args, pattern] of cases) {
      const res = await runCli(args);
      assert.equal(res.code, 2, `${args.join(' ')}: ${res.stderr}`);
      assert.match(res.stderr, pattern);
      assert.doesNotMatch(res.stderr, /\n\s+at /, 'no stack trace');
    }
  });

  test('a missing program names the package and the set-up command, and creates nothing', async () => {
    const dir = join(tempLabDir('prereq'), 'lab');
    const res = await runCli([
      'lab',
      'up',
      '--dir',
      dir,
      '--net',
      '127.0.2',
      '--etcd-bin',
      '/nonexistent/etcd',
    ]);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /etcd executable \/nonexistent\/etcd was not found/);
    assert.match(res.stderr, /etcd-server/);
    assert.match(res.stderr, /scripts\/setup\.sh/);
    assert.equal(existsSync(dir), false);
  });

  test('a part that does not come up stops up, naming the part and its log; down cleans up', async () => {
    const root = openDir(tempLabDir('fail'));
    const fake = (name: string, version: string) => {
      const file = join(root, name);
      writeFileSync(
        file,
        `#!/bin/sh\nif [ "$1" = "--version" ]; then echo "${version}"; exit 0; fi\necho "fake ${name}: refusing to start" >&2\nexit 1\n`,
        { mode: 0o755 },
      );
      return file;
    };
    const cases: Array<[string[], RegExp, string]> = [
      [
        ['--etcd-bin', fake('etcd', 'etcd Version: 3.5.16')],
        /etcd did not come up: etcd member e1 exited/,
        'e1',
      ],
      [['--patroni-bin', fake('patroni', 'patroni 4.0.7')], /Patroni leader election did not come up/, 'n1'],
    ];
    for (const [flags, pattern, part] of cases) {
      const dir = join(root, `lab-${part}`);
      const res = await runCli(['lab', 'up', '--dir', dir, '--net', '127.0.9', '--fast', ...flags]);
      assert.equal(res.code, 1, res.stderr);
      assert.match(res.stderr, pattern);
      assert.match(res.stderr, new RegExp(`last lines of .*logs/${part}\\.log ---\\nfake `));
      assert.match(res.stderr, new RegExp(`part: ${part}`));
      assert.doesNotMatch(res.stderr, /\n\s+at /, 'no stack trace');
      const down = await runCli(['lab', 'down', '--purge', '--dir', dir]);
      assert.equal(down.code, 0, down.stderr);
      assert.equal(existsSync(dir), false);
    }
  });

  test('a missing system tool names its Debian package, and nothing is created', async () => {
    const dir = join(tempLabDir('tool'), 'lab');
    const res = await runCli(
      [
        'lab',
        'up',
        '--dir',
        dir,
        '--net',
        '127.0.9',
        '--pg-bin-dir',
        '/usr/lib/postgresql/15/bin',
        '--haproxy-bin',
        '/usr/sbin/haproxy',
      ],
      { env: { PATH: '/nonexistent' } },
    );
    assert.equal(res.code, 1, res.stderr);
    assert.match(
      res.stderr,
      /setpriv was not found; the lab needs it to run PostgreSQL as the postgres user/,
    );
    assert.match(res.stderr, /apt-get install util-linux/);
    assert.equal(existsSync(dir), false);
  });

  test('the netns topology refuses to run as an ordinary user', async () => {
    const res = await runCli(['lab', 'up', '--netns', '--dir', join(tempLabDir('nn'), 'x')], {
      runAs: 'postgres',
    });
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /needs root/);
  });
});

describe('lab: conflicts and recovery', { timeout: 600_000 }, () => {
  const dir = join(openDir(tempLabDir('edge')), 'lab');
  const args = ['--dir', dir, '--net', '127.0.2', '--fast'];
  const servers: Server[] = [];
  after(async () => {
    for (const s of servers) s.close();
    await new Lab({ dir }).down({ purge: true });
  });

  test('a port already taken stops up before anything starts, naming the address and its owner', async () => {
    const blocker = createServer();
    servers.push(blocker);
    await new Promise<void>((resolve) => blocker.listen(5000, '127.0.2.1', resolve));
    const res = await runCli(['lab', 'up', ...args]);
    blocker.close();
    assert.equal(res.code, 1);
    assert.match(res.stderr, /127\.0\.2\.1:5000 \(HAProxy writer\) is used by node \(pid \d+\)/);
    assert.match(res.stderr, /hint: stop that program, or give the lab other addresses/);
    assert.equal(existsSync(join(dir, 'lab.json')), false, 'no state written');
  });

  test('a lab killed outright (every process SIGKILLed) comes back with up, data intact', async () => {
    const first = await runCli(['lab', 'up', ...args]);
    assert.equal(first.code, 0, first.stderr);
    const lab = new Lab({ dir });
    await createProbeTable(lab);
    const row = await writeRow(lab, 'survives');
    const state = JSON.parse(readFileSync(join(dir, 'lab.json'), 'utf8'));
    const pids: number[] = [
      state.processes.haproxy.pid,
      ...Object.values<{ pid: number }>(state.processes.patroni).map((p) => p.pid),
      ...Object.values<{ pid: number }>(state.processes.etcd).map((p) => p.pid),
    ];
    for (let i = 1; i <= 3; i++) {
      const pm = Number(readFileSync(join(dir, `n${i}`, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
      pids.push(pm);
    }
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    const dead = await runCli(['lab', 'status', '--json', '--dir', dir]);
    assert.equal(dead.code, 1);
    assert.equal(JSON.parse(dead.stdout).running, false);
    const again = await runCli(['lab', 'up', '--dir', dir]);
    assert.equal(again.code, 0, again.stderr);
    const [r] = await sql<{ note: string }>(
      lab.connection('writer'),
      'select note from probe where id = $1',
      [row.id],
    );
    assert.equal(r?.note, 'survives');
  });

  test('up with settings that contradict the existing lab is refused with the fix', async () => {
    const res = await runCli(['lab', 'up', '--dir', dir, '--patroni', '3.0.2']);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /a lab with other settings already exists .*Patroni 4\.0\.7 \(asked: 3\.0\.2\)/);
    assert.match(res.stderr, /lab down --purge/);
    const status = await runCli(['lab', 'status', '--json', '--dir', dir]);
    assert.equal(JSON.parse(status.stdout).leader !== null, true, 'the running lab was not touched');
  });

  test('an unknown member is refused with the list of names', async () => {
    const res = await runCli(['lab', 'kill', 'n9', '--dir', dir]);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /unknown lab member 'n9'.*\n.*n1, n2, n3/);
  });

  test('a corrupt lab.json: status names it, down still stops every program the lab runs', async () => {
    const stateFile = join(dir, 'lab.json');
    const state = JSON.parse(readFileSync(stateFile, 'utf8'));
    const pids: number[] = [
      state.processes.haproxy.pid,
      ...Object.values<{ pid: number }>(state.processes.patroni).map((p) => p.pid),
      ...Object.values<{ pid: number }>(state.processes.etcd).map((p) => p.pid),
    ];
    for (let i = 1; i <= 3; i++) {
      pids.push(Number(readFileSync(join(dir, `n${i}`, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]));
    }
    // Alive and not a zombie waiting for its parent (init) to reap it.
    const alive = (pid: number) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
      } catch {
        return false;
      }
    };
    const whatIs = (pid: number) => {
      try {
        return `${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')}`;
      } catch {
        return `${pid}: gone`;
      }
    };
    assert.deepEqual(pids.filter(alive), pids, 'the lab runs before the state file is damaged');
    writeFileSync(stateFile, '{"stateVersion": 1, "layout": {');
    const status = await runCli(['lab', 'status', '--dir', dir]);
    assert.equal(status.code, 1);
    assert.match(status.stderr, /lab state file .*lab\.json is corrupt/);
    assert.match(status.stderr, /lab down/);
    const down = await runCli(['lab', 'down', '--dir', dir]);
    assert.equal(down.code, 0, down.stderr);
    assert.deepEqual(
      pids.filter(alive).map(whatIs),
      [],
      `every process of the lab has ended\n${down.stdout}`,
    );
    const { hosts, haproxyHost, ports } = state.layout;
    const endpoints: Array<[string, number]> = [
      [haproxyHost, ports.writer],
      [haproxyHost, ports.reader],
      ...hosts.flatMap(
        (h: string): Array<[string, number]> => [
          [h, ports.etcdClient],
          [h, ports.postgres],
          [h, ports.rest],
        ],
      ),
    ];
    for (const [host, port] of endpoints) {
      assert.equal(await isPortFree(host, port), true, `${host}:${port} is free`);
    }
  });

  test('down --purge deletes the folder', async () => {
    const res = await runCli(['lab', 'down', '--purge', '--dir', dir]);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(existsSync(dir), false);
  });
});

describe('lab: as an ordinary user', { timeout: 600_000 }, () => {
  const parent = mkdtempSync(join(tmpdir(), 'pk-user-'));
  const { uid, gid } = lookupUser('postgres');
  chownSync(parent, uid, gid);
  const dir = join(parent, 'lab');
  after(async () => {
    await runCli(['lab', 'down', '--purge', '--dir', dir], { runAs: 'postgres' });
  });

  test('up, status and down work without root (Patroni runs as the calling user)', async () => {
    const up = await runCli(['lab', 'up', '--dir', dir, '--net', '127.0.3', '--fast', '--json'], {
      runAs: 'postgres',
    });
    assert.equal(up.code, 0, up.stderr);
    const status = JSON.parse(up.stdout);
    assert.equal(status.members.filter((m: { role: string }) => m.role === 'leader').length, 1);
    const state = JSON.parse(readFileSync(join(dir, 'lab.json'), 'utf8'));
    assert.equal(state.runAs, undefined);
    const ownerOfPatroni = readFileSync(`/proc/${state.processes.patroni.n1.pid}/status`, 'utf8').match(
      /^Uid:\s+(\d+)/m,
    )?.[1];
    assert.equal(Number(ownerOfPatroni), uid);
    const down = await runCli(['lab', 'down', '--dir', dir], { runAs: 'postgres' });
    assert.equal(down.code, 0, down.stderr);
  });
});

describe('lab: folders PostgreSQL cannot reach', () => {
  test('a lab folder below a 0700 parent is refused (as root) before anything starts', async () => {
    const parent = tempLabDir('closed'); // mkdtemp makes it 0700
    const res = await runCli(['lab', 'up', '--dir', join(parent, 'lab'), '--net', '127.0.2']);
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /cannot enter .*pk-closed-.* \(mode 700\)/);
    assert.match(res.stderr, /chmod o\+x/);
    assert.equal(existsSync(join(parent, 'lab')), false);
  });
});
