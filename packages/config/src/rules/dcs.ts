/** Rule group 'dcs': The DCS section. */

import { isIP } from 'node:net';
import { isScalar } from 'yaml';
import type { RuleContext } from '../context.js';
import { locate, type PathSegment } from '../parse.js';
import { shownValue } from '../secrets.js';
import type { Fix } from '../types.js';
import { isObj, toInt } from '../values.js';
import { defineRule } from './rule.js';
import { brokenUrl, DCS_NAMES, dcsHostEntries } from './util.js';

/** The rules of group 'dcs'. */
export const rules = [
  defineRule(
    {
      id: 'multiple-dcs',
      group: 'dcs',
      severity: 'error',
      fileOnly: true,
      docs: {
        title: 'More than one DCS section.',
        why: 'Patroni uses only the first one it can import (consul, etcd, etcd3, exhibitor, kubernetes, raft, zookeeper) and ignores the others: members may end up in different DCSs.',
        fix: 'Keep exactly one DCS section.',
        example: 'etcd3:\n  hosts: [10.0.0.1:2379]\nconsul:\n  host: 127.0.0.1:8500\n',
      },
    },
    dcsSections,
  ),
  defineRule({
    id: 'dcs-host-count',
    group: 'dcs',
    severity: 'warning',
    variants: {
      name: { severity: 'info', when: 'a single endpoint given by name, which may resolve to every member' },
    },
    docs: {
      title: 'An even number of etcd/ZooKeeper hosts, or a single one.',
      why: 'A quorum of 2n members tolerates no more failures than 2n−1; a single endpoint is a single point of failure at start-up.',
      fix: 'List an odd number (3 or 5) of endpoints.',
      example: 'etcd3:\n  hosts: [10.0.0.1:2379, 10.0.0.2:2379]\n',
    },
  }),
  defineRule({
    id: 'dcs-host-scheme',
    group: 'dcs',
    severity: 'error',
    autofix: true,
    docs: {
      title: 'A URL scheme inside etcd host/hosts.',
      why: 'host/hosts take `host:port`; from `http://10.0.0.1:2379` Patroni builds the URL `http://[http://10.0.0.1]:2379` and cannot connect.',
      fix: 'Remove the scheme (`--fix` does) and set `protocol: https` when needed, or use `url`.',
      example: 'etcd3:\n  hosts:\n    - https://10.0.0.1:2379\n',
    },
  }),
  defineRule({
    id: 'raft-deprecated',
    group: 'dcs',
    severity: 'info',
    docs: {
      title: 'The built-in Raft DCS is deprecated.',
      why: 'Deprecated since Patroni 3.0.0 and no longer developed.',
      fix: 'Migrate to etcd (etcd3), Consul, ZooKeeper or Kubernetes.',
      example: 'raft:\n  self_addr: 10.0.0.1:2222\n',
    },
  }),
  defineRule(
    {
      id: 'dcs-host-port',
      group: 'dcs',
      severity: 'error',
      fileOnly: true,
      docs: {
        title:
          'A DCS host list entry Patroni cannot use: a port that is not a number or is out of range, or an empty entry.',
        why: 'Patroni splits every entry of etcd/etcd3 host and hosts, consul host, zookeeper hosts and raft partner_addrs (YAML lists or comma-separated strings, IPv6 in brackets) at the last colon; a port like `23x9` makes it fail at start (`patroni --validate-config`: "contains a wrong value"), a port outside 1–65535 or an empty entry is an endpoint it can never reach.',
        fix: 'Write each entry as `host:port` (or `host` for the default port), `[v6]:port` for IPv6, separated by commas or as a YAML list.',
        example: 'etcd3:\n  hosts: 10.0.0.1:2379,10.0.0.2:2379a,10.0.0.3:2379\n',
      },
    },
    dcsHosts,
  ),
] as const;

function dcsSections(ctx: RuleContext): void {
  kubernetes(ctx);
  const present = DCS_NAMES.filter((n) => ctx.data[n] !== undefined);
  if (present.length > 1) {
    for (const n of present.slice(1)) {
      ctx.report(
        'multiple-dcs',
        [n],
        `More than one DCS section (${present.join(', ')}): Patroni uses only '${present[0]}' (the first it can import) and ignores '${n}'. Keep exactly one.`,
        { anchor: 'key' },
      );
    }
  }
  if (present.length === 0 && !ctx.dynamicDoc) {
    ctx.report(
      'missing-key',
      [],
      `No DCS section: add exactly one of ${DCS_NAMES.join(', ')} (or set it with PATRONI_<DCS>_HOSTS-style environment variables).`,
    );
  }
  if (ctx.data.raft !== undefined) {
    ctx.report(
      'raft-deprecated',
      ['raft'],
      'The built-in Raft DCS is deprecated since Patroni 3.0.0; plan a move to etcd3, Consul, ZooKeeper or Kubernetes.',
      {
        anchor: 'key',
      },
    );
  }
  for (const name of ['etcd', 'etcd3', 'zookeeper']) {
    const sec = ctx.data[name];
    if (!isObj(sec)) continue;
    const hostsValue = sec.hosts;
    const hosts: Array<[string, PathSegment[]]> = [];
    if (Array.isArray(hostsValue)) {
      for (let i = 0; i < hostsValue.length; i++) {
        const h = hostsValue[i];
        if (typeof h === 'string') hosts.push([h, [name, 'hosts', i]]);
      }
    } else if (typeof hostsValue === 'string')
      for (const h of hostsValue.split(',')) hosts.push([h.trim(), [name, 'hosts']]);
    if (typeof sec.host === 'string' && name !== 'zookeeper') hosts.push([sec.host, [name, 'host']]);
    for (const [h, p] of hosts) {
      const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(h);
      if (!m) continue;
      const https = m[1]!.toLowerCase() === 'https';
      const loc = locate(ctx.parsed.doc, p);
      let fix: Fix | undefined;
      if (
        loc.depth === p.length &&
        loc.value &&
        isScalar(loc.value) &&
        loc.value.range &&
        typeof loc.value.value === 'string'
      ) {
        const src = ctx.parsed.text.slice(loc.value.range[0], loc.value.range[1]);
        const idx = src.indexOf(m[0]);
        if (idx >= 0)
          fix = {
            description: `Remove '${m[0]}'`,
            edits: [{ offset: loc.value.range[0] + idx, length: m[0].length, text: '' }],
          };
      }
      const protoHint = https && sec.protocol !== 'https' ? ` and add \`protocol: https\`` : '';
      ctx.report(
        'dcs-host-scheme',
        p,
        `${name}.${p[1]} entries are host:port without a URL scheme, but '${h}' starts with '${m[0]}': Patroni turns it into the unusable URL '${brokenUrl(h, String(sec.protocol ?? 'http'), toInt(sec.port) ?? 2379)}' and cannot connect. Remove the scheme${protoHint}, or use ${name}.url for a single URL.`,
        fix ? { fix } : {},
      );
    }
    const count = Array.isArray(hostsValue)
      ? hostsValue.length
      : typeof hostsValue === 'string'
        ? hostsValue.split(',').filter((s) => s.trim()).length
        : 0;
    const usesDiscovery = sec.srv !== undefined || sec.url !== undefined || sec.proxy !== undefined;
    if (usesDiscovery) continue;
    if (count > 0 && count % 2 === 0) {
      ctx.report(
        'dcs-host-count',
        [name, 'hosts'],
        `${name}.hosts lists ${count} endpoints. An even-sized ${name === 'zookeeper' ? 'ensemble' : 'etcd cluster'} tolerates no more failures than one member fewer; run and list an odd number (3 or 5).`,
      );
    } else if (count === 1 || (count === 0 && typeof sec.host === 'string')) {
      const single = count === 1 ? (Array.isArray(hostsValue) ? hostsValue[0] : hostsValue) : sec.host;
      const hostName = shownValue(single).replace(/:\d+$/, '');
      const byName = isIP(hostName.replace(/^\[|\]$/g, '')) === 0;
      ctx.report(
        'dcs-host-count',
        count === 1 ? [name, 'hosts'] : [name, 'host'],
        byName
          ? `Only one ${name} endpoint name is configured: fine if '${hostName}' resolves to every member (Patroni uses all its addresses); otherwise list all members (an odd number, 3 or 5) in ${name}.hosts.`
          : `Only one ${name} endpoint is configured: if it is down when Patroni starts, Patroni cannot reach the DCS. List all members (an odd number, 3 or 5) in ${name}.hosts.`,
        byName ? { variant: 'name' } : {},
      );
    }
  }
}

function kubernetes(ctx: RuleContext): void {
  const k = ctx.get(['kubernetes']);
  if (!isObj(k)) return;
  if (typeof k.pod_ip === 'string' && isIP(k.pod_ip) === 0) {
    ctx.report(
      'invalid-value',
      ['kubernetes', 'pod_ip'],
      `kubernetes.pod_ip '${k.pod_ip}' is not an IPv4 or IPv6 address; Patroni writes it into the leader Endpoints. Use the pod's IP (status.podIP).`,
    );
  }
  if (k.use_endpoints === true && k.pod_ip === undefined) {
    ctx.report(
      'missing-key',
      ['kubernetes', 'use_endpoints'],
      'kubernetes.use_endpoints needs kubernetes.pod_ip (or PATRONI_KUBERNETES_POD_IP): without it the leader Endpoints cannot point at the primary.',
    );
  }
}

function dcsHosts(ctx: RuleContext): void {
  for (const e of dcsHostEntries(ctx.data)) {
    if (!e.problem || /^[a-z][a-z0-9+.-]*:\/\//i.test(e.text)) continue; // dcs-host-scheme says it
    const key = e.path.slice(0, 2).join('.');
    ctx.report(
      'dcs-host-port',
      e.path,
      `${key} entry '${e.text}' ${e.problem}: Patroni cannot use it as a ${e.section} endpoint. Write host:port (1–65535), [v6]:port for IPv6.`,
    );
  }
}
