/** etcd serving clients over TLS with client-certificate verification, per version (one member each). */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEFERRED_CA_ENV } from '@patroni-kit/errors/extra-ca';
import { Etcd3 } from 'etcd3';
import { GatewayTransport } from '../src/gateway.js';
import { DcsClient } from '../src/index.js';
import { EtcdCluster, type EtcdVersion, makeCerts } from './etcd-cluster.js';
import { seedCluster } from './fixtures.js';
import { rejects } from './suite.js';

for (const [version, host] of [
  ['3.4', '127.0.4.51'],
  ['3.5', '127.0.4.52'],
] as const) {
  describe(`TLS on etcd ${version}`, () => {
    const dir = mkdtempSync(join(tmpdir(), `pk-dcs-tls-${version}-`));
    let cluster: EtcdCluster;
    let certs: Awaited<ReturnType<typeof makeCerts>>;
    const clients: DcsClient[] = [];
    const client = (tls: ConstructorParameters<typeof DcsClient>[0]['tls'], scheme = 'https') => {
      const c = new DcsClient({
        endpoints: [`${scheme}://${host}:2379`],
        timeoutMs: 3000,
        ...(tls ? { tls } : {}),
      });
      clients.push(c);
      return c;
    };

    before(async () => {
      certs = await makeCerts(join(dir, 'certs'), [host]);
      cluster = new EtcdCluster({
        version: version as EtcdVersion,
        hosts: [host],
        dir: join(dir, 'etcd'),
        tls: { ca: certs.ca, cert: certs.cert, key: certs.key },
      });
      await cluster.start();
      const { readFileSync } = await import('node:fs');
      const raw = new Etcd3({
        hosts: cluster.endpoints,
        credentials: {
          rootCertificate: readFileSync(certs.ca),
          certChain: readFileSync(certs.clientCert),
          privateKey: readFileSync(certs.clientKey),
        },
      });
      await seedCluster(raw, 'service', 'secure', '4.1');
      raw.close();
    });

    after(async () => {
      for (const c of clients) c.close();
      await cluster?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('CA and client certificate (files): reads the cluster', async () => {
      const s = await client({
        caFile: certs.ca,
        certFile: certs.clientCert,
        keyFile: certs.clientKey,
      }).readCluster('secure');
      assert.equal(s.leader?.value, 'n1');
      const h = await client({
        caFile: certs.ca,
        certFile: certs.clientCert,
        keyFile: certs.clientKey,
      }).health();
      assert.equal(h.quorum.message, 'quorum ok: 1 of 1 members healthy, etcd leader e1');
    });

    test('an untrusted server certificate is refused (TLS)', async () => {
      await rejects(
        client({ caFile: certs.otherCa, certFile: certs.clientCert, keyFile: certs.clientKey }).readCluster(
          'secure',
        ),
        'TLS',
      );
    });

    test('no client certificate when etcd requires one: a clear error', async () => {
      await rejects(client({ caFile: certs.ca }).readCluster('secure'), 'TLS');
    });

    test('a certificate without its key is a USAGE error', () => {
      assert.throws(() => client({ caFile: certs.ca, certFile: certs.clientCert }), { code: 'USAGE' });
    });

    test('plain http to a TLS endpoint: CONNECT, and the hint suggests https', async () => {
      const e = await rejects(client(undefined, 'http').readCluster('secure'), 'CONNECT');
      assert.match(e.hint ?? '', /https:\/\//);
    });

    test('a CA given only as the deferred NODE_EXTRA_CA_CERTS is trusted by gRPC and by the gateway', async () => {
      const mtls = { certFile: certs.clientCert, keyFile: certs.clientKey };
      await rejects(client(mtls).readCluster('secure'), 'TLS');
      await rejects(
        new GatewayTransport({ endpoints: [`https://${host}:2379`], tls: mtls }).range(
          '/service/secure/leader',
        ),
        'TLS',
      );
      process.env[DEFERRED_CA_ENV] = certs.ca;
      try {
        assert.equal((await client(mtls).readCluster('secure')).leader?.value, 'n1');
        const gw = new GatewayTransport({ endpoints: [`https://${host}:2379`], tls: mtls, timeoutMs: 3000 });
        const r = await gw.range('/service/secure/leader');
        assert.equal(r.kvs[0]?.value.toString(), 'n1');
        gw.close();
      } finally {
        delete process.env[DEFERRED_CA_ENV];
      }
    });
  });
}
