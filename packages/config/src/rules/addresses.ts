/** Rule group 'addresses': Listen and connect addresses. */
import type { RuleContext } from '../context.js';
import type { PathSegment } from '../parse.js';
import { defineRule } from './rule.js';
import { dcsHostEntries, isLoopback, patroniHostPort, splitHostPort } from './util.js';

/** The rules of group 'addresses'. */
export const rules = [
  defineRule(
    {
      id: 'connect-address',
      group: 'addresses',
      severity: 'error',
      variants: {
        loopback: {
          severity: 'info',
          when: "a loopback address while the DCS endpoints are loopback too: every member runs on one host (a lab, Patroni's postgres0.yml)",
        },
        'loopback-remote': {
          severity: 'warning',
          when: 'a loopback address while the DCS is elsewhere: works only if every member runs on this host, which the file cannot show',
        },
      },
      fileOnly: true,
      docs: {
        title: 'A connect address other members cannot use (wildcard or loopback).',
        why: "connect_address is published in the DCS; replicas and patronictl on other hosts would connect to themselves. A wildcard (0.0.0.0, *) never works: an error, as in Patroni's validator. A loopback address (127.0.0.1, ::1, localhost, any 127.x) works only when every member runs on one host, which the file cannot prove: info when the DCS endpoints are loopback too (a lab, Patroni's postgres0.yml), a warning otherwise; never an error, although `patroni --validate-config` rejects 127.0.0.1, ::1 and localhost.",
        fix: 'Use the address other members reach this node on.',
        example: 'postgresql:\n  connect_address: 0.0.0.0:5432\n',
      },
    },
    addresses,
  ),
  defineRule({
    id: 'listen-address',
    group: 'addresses',
    severity: 'error',
    docs: {
      title: 'A malformed listen address.',
      why: 'Patroni fails to bind: `*` must be alone, restapi.listen takes one host, ports must be 1–65535.',
      fix: 'Write `host:port`, or `host1,host2:port` for postgresql.listen.',
      example: 'postgresql:\n  listen: "*,10.0.0.1:5432"\n',
    },
  }),
  defineRule({
    id: 'listen-connect-mismatch',
    group: 'addresses',
    severity: 'warning',
    docs: {
      title: 'connect_address does not match listen (port or host).',
      why: 'Other members connect to an address nothing listens on, unless a proxy or NAT sits between.',
      fix: 'Make the connect port equal the listen port, and listen on the connect host (or on all addresses).',
      example: 'postgresql:\n  listen: 10.0.0.11:5432\n  connect_address: 10.0.0.11:5433\n',
    },
  }),
] as const;

function addresses(ctx: RuleContext): void {
  const check = (path: PathSegment[], what: string) => {
    const v = ctx.get(path);
    if (v === undefined) return;
    const hp = splitHostPort(v);
    if (!hp) {
      if (typeof v === 'string')
        ctx.report(
          'listen-address',
          path,
          `${path.join('.')} '${v}' is not host:port (for example 10.0.0.11:${path[0] === 'restapi' ? 8008 : 5432}).`,
        );
      return;
    }
    if (hp.port < 1 || hp.port > 65535) {
      ctx.report('listen-address', path, `${path.join('.')} has port ${hp.port}, outside 1–65535.`);
    }
    const host = hp.host.toLowerCase();
    if (WILDCARD_HOSTS.includes(host)) {
      ctx.report(
        'connect-address',
        path,
        `${path.join('.')} is '${String(v)}': ${what} is published in the DCS for other members and clients, and '${hp.host || '(empty)'}' is a wildcard, not an address anyone can connect to. Use the address other nodes reach this node on (Patroni's validator rejects 0.0.0.0 and *).`,
      );
    } else if (isLoopback(host)) {
      // one host or several is the deployment, which the file shows only through its DCS endpoints
      const oneHost = dcsLoopback(ctx);
      ctx.report(
        'connect-address',
        path,
        oneHost
          ? `${path.join('.')} is a loopback address (${hp.host}), and so are the DCS endpoints: fine when every member runs on this host (a lab, Patroni's postgres0.yml); on several hosts use the node's network address. (\`patroni --validate-config\` rejects 127.0.0.1, ::1 and localhost.)`
          : `${path.join('.')} is a loopback address (${hp.host}) while the DCS is reached elsewhere: members on other hosts cannot connect to this node. Use the address other nodes reach this node on, unless every member runs on this host (\`patroni --validate-config\` rejects 127.0.0.1, ::1 and localhost).`,
        { variant: oneHost ? 'loopback' : 'loopback-remote' },
      );
    }
  };
  check(['restapi', 'connect_address'], 'restapi.connect_address (api_url)');
  check(['postgresql', 'connect_address'], 'postgresql.connect_address (conn_url)');
  check(['postgresql', 'proxy_address'], 'postgresql.proxy_address (proxy_url)');
  check(['raft', 'self_addr'], 'raft.self_addr');

  const listenCheck = (path: PathSegment[], multi: boolean) => {
    const v = ctx.get(path);
    if (typeof v !== 'string') return undefined;
    // postgresql.listen without a port means 5432 (Patroni's split_host_port default there)
    const hp = splitHostPort(v) ?? (multi && !v.includes(':') ? { host: v, port: 5432 } : undefined);
    if (!hp) {
      ctx.report(
        'listen-address',
        path,
        `${path.join('.')} '${v}' must be ${multi ? 'host[,host...]:port' : 'host:port'}.`,
      );
      return undefined;
    }
    const hosts = hp.host.split(',').map((h) => h.trim());
    if (!multi && hosts.length > 1) {
      ctx.report(
        'listen-address',
        path,
        `${path.join('.')} takes a single host:port; '${v}' lists ${hosts.length} hosts. Use 0.0.0.0 (or '*') to listen on all addresses.`,
      );
    }
    if (hosts.includes('*') && hosts.length > 1) {
      ctx.report(
        'listen-address',
        path,
        `${path.join('.')}: '*' must be alone (it already means all addresses); remove the other hosts.`,
      );
    }
    if (hp.port < 1 || hp.port > 65535)
      ctx.report('listen-address', path, `${path.join('.')} has port ${hp.port}, outside 1–65535.`);
    return { hosts, port: hp.port };
  };
  for (const [section, multi] of [
    ['restapi', false],
    ['postgresql', true],
  ] as const) {
    const listen = listenCheck([section, 'listen'], multi);
    const connect = splitHostPort(ctx.get([section, 'connect_address']));
    if (!listen || !connect) continue;
    if (listen.port !== connect.port) {
      ctx.report(
        'listen-connect-mismatch',
        [section, 'connect_address'],
        `${section}.connect_address uses port ${connect.port} but ${section}.listen uses ${listen.port}: other members will connect where nothing listens (unless a proxy or NAT forwards it). Use the same port.`,
      );
    }
    const wildcard = listen.hosts.some((h) => ['', '*', '0.0.0.0', '::', '[::]'].includes(h));
    const ipLike = (h: string) => /^\d+\.\d+\.\d+\.\d+$/.test(h);
    if (
      !wildcard &&
      ipLike(connect.host) &&
      listen.hosts.every(ipLike) &&
      !listen.hosts.includes(connect.host)
    ) {
      ctx.report(
        'listen-connect-mismatch',
        [section, 'connect_address'],
        `${section}.connect_address host ${connect.host} is not among the listen addresses (${listen.hosts.join(', ')}): nothing listens there (unless NAT forwards it). Listen on ${connect.host} too, or on 0.0.0.0.`,
      );
    }
  }
}

const WILDCARD_HOSTS = ['0.0.0.0', '*', '', '::', '0:0:0:0:0:0:0:0'];

/** True when every DCS endpoint the file lists is a loopback address (all members on one host). */
function dcsLoopback(ctx: RuleContext): boolean {
  const hosts = dcsHostEntries(ctx.data).map((e) => e.host);
  const raft = ctx.get(['raft', 'self_addr']);
  if (typeof raft === 'string') hosts.push(patroniHostPort(raft, 1).host);
  return hosts.length > 0 && hosts.every((h) => isLoopback(h.toLowerCase()));
}
