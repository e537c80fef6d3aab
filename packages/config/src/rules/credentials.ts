/** Rule group 'credentials': Passwords. */
import type { RuleContext } from '../context.js';
import type { PathSegment } from '../parse.js';
import { isObj } from '../values.js';
import { defineRule } from './rule.js';
import { SAMPLE_PASSWORDS } from './util.js';

/** The rules of group 'credentials'. */
export const rules = [
  defineRule(
    {
      id: 'default-password',
      group: 'credentials',
      severity: 'warning',
      fileOnly: true,
      docs: {
        title: "A password from Patroni's samples or a well-known default.",
        why: 'Sample passwords (zalando, rep-pass, rewind_password, admin, postgres, …) are the first ones attackers try.',
        fix: 'Generate a random password (and keep it out of the file with PATRONI_*_PASSWORD variables).',
        example:
          'postgresql:\n  authentication:\n    superuser:\n      username: postgres\n      password: zalando\n',
      },
    },
    passwords,
  ),
  defineRule({
    id: 'empty-password',
    group: 'credentials',
    severity: 'warning',
    variants: {
      peer: {
        severity: 'info',
        when: 'no password with peer/cert authentication, which the file cannot show',
      },
    },
    docs: {
      title: 'An empty password.',
      why: 'Patroni connects without a password; unless pg_hba uses peer/cert for that user, connections fail or are open.',
      fix: 'Set a password, or document that peer/cert authentication is intended.',
      example:
        'postgresql:\n  authentication:\n    replication:\n      username: replicator\n      password: ""\n',
    },
  }),
] as const;

function passwords(ctx: RuleContext): void {
  const unixSocket = ctx.get(['postgresql', 'use_unix_socket']) === true;
  const check = (path: PathSegment[], what: string, present: boolean) => {
    if (!present) return;
    const v = ctx.get(path);
    if (v === null || v === undefined || v === '') {
      if (v === undefined && !ctx.inFile(path.slice(0, -1))) return;
      if (v === undefined && path[0] === 'postgresql') {
        // no password key at all: peer/cert auth intended; only note it for the replication user
        if (path[2] !== 'replication') return;
        ctx.report(
          'empty-password',
          path.slice(0, -1),
          `${what} has no password: replicas must then authenticate by certificate or another password-less method allowed in pg_hba.`,
          { variant: 'peer', anchor: 'key' },
        );
        return;
      }
      const superSocket = path[2] === 'superuser' && unixSocket;
      ctx.report(
        'empty-password',
        path,
        superSocket
          ? `${what} has an empty password: fine with use_unix_socket and peer authentication, but pg_rewind and remote tools then need a separate rewind user or certificates.`
          : `${what} has an empty password. Set one (or use PATRONI_*_PASSWORD variables), unless pg_hba deliberately uses peer/cert for this user.`,
        { anchor: v === undefined ? 'key' : 'value', ...(superSocket ? { variant: 'peer' } : {}) },
      );
      return;
    }
    if (typeof v === 'string' && SAMPLE_PASSWORDS.has(v.toLowerCase())) {
      ctx.report(
        'default-password',
        path,
        `${what} uses '${v}', a password from Patroni's samples or a well-known default. Generate a random one.`,
      );
    }
  };
  for (const role of ['superuser', 'replication', 'rewind']) {
    const sec = ctx.get(['postgresql', 'authentication', role]);
    check(['postgresql', 'authentication', role, 'password'], `The ${role} role`, isObj(sec));
  }
  check(
    ['restapi', 'authentication', 'password'],
    'restapi.authentication',
    isObj(ctx.get(['restapi', 'authentication'])),
  );
  check(
    ['ctl', 'authentication', 'password'],
    'ctl.authentication',
    isObj(ctx.get(['ctl', 'authentication'])),
  );
  for (const dcs of ['etcd', 'etcd3']) {
    if (isObj(ctx.get([dcs])) && ctx.get([dcs, 'username']) !== undefined)
      check([dcs, 'password'], `${dcs} authentication`, true);
  }
}
