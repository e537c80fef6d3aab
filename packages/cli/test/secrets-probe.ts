/**
 * Child process of secrets.test.ts: runs one library scenario with planted passwords in a fresh process (so no
 * secret registered by another scenario can hide a leak) and prints every rendering of what came back.
 */
import { inspect } from 'node:util';
import { Cluster } from '@patroni-kit/cluster';
import { connectionFromDcsUrl, connectionFromPatroniConfig, DcsClient } from '@patroni-kit/dcs';
import { PatroniClient } from '@patroni-kit/rest';

const [scenario = '', arg = '', arg2 = ''] = process.argv.slice(2);

function render(label: string, value: unknown): void {
  const parts = [`== ${label}`];
  if (value instanceof Error) parts.push(value.message, value.stack ?? '', String(value));
  parts.push(JSON.stringify(value) ?? '', inspect(value, { depth: 12, showHidden: false }));
  process.stdout.write(`${parts.join('\n')}\n`);
}

async function settle(label: string, p: Promise<unknown>): Promise<void> {
  try {
    render(`${label} (value)`, await p);
  } catch (err) {
    render(`${label} (error)`, err);
  }
}

async function main(): Promise<void> {
  switch (scenario) {
    case 'cluster-config': {
      // arg: a patroni.yml path; the cluster is read and then a reload is sent.
      try {
        const cluster = await Cluster.connect({
          configFile: arg,
          timeouts: { dcs: 1500, member: 800, write: 1500 },
        });
        render('target', cluster.target);
        await settle('status', cluster.status());
        await settle('reload', cluster.reload({}));
        await settle('health', cluster.health());
        await cluster.close();
      } catch (err) {
        render('connect (error)', err);
      }
      return;
    }
    case 'rest-url': {
      const client = new PatroniClient({ url: arg, timeouts: { read: 800, write: 800 } });
      render('client', client);
      await settle('getPatroni', client.getPatroni());
      await settle('reload', client.reload());
      await settle('patchConfig', client.patchConfig({ ttl: 30 }));
      await client.close();
      await settle(
        'bad url',
        Promise.resolve().then(() => new PatroniClient({ url: arg2 })),
      );
      return;
    }
    case 'dcs-url': {
      await settle(
        'parse',
        Promise.resolve().then(() => connectionFromDcsUrl(arg)),
      );
      const conn = connectionFromDcsUrl(arg).connection;
      render('connection endpoints', conn.endpoints);
      const dcs = new DcsClient({ ...conn, namespace: 'service', timeoutMs: 800 });
      await settle('dcs list', dcs.listScopes());
      dcs.close();
      try {
        const cluster = await Cluster.connect({ dcsUrl: arg, scope: 'a', timeouts: { dcs: 800 } });
        render('target', cluster.target.dcs?.connection.endpoints);
        await settle('status', cluster.status());
        await cluster.close();
      } catch (err) {
        render('connect (error)', err);
      }
      return;
    }
    case 'env': {
      await settle(
        'env config',
        Promise.resolve().then(
          () => connectionFromPatroniConfig({ scope: 'a' }, process.env).connection.endpoints,
        ),
      );
      try {
        const cluster = await Cluster.connect({
          scope: 'a',
          config: {},
          timeouts: { dcs: 800, member: 800 },
        });
        await settle('status', cluster.status());
        await settle('query', cluster.query('select 1', { timeoutMs: 800 } as never));
        await cluster.close();
      } catch (err) {
        render('connect (error)', err);
      }
      return;
    }
  }
  throw new Error(`unknown scenario ${scenario}`);
}

await main();
