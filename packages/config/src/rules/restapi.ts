/** Rule group 'restapi': The REST API. */
import type { RuleContext } from '../context.js';
import { isObj } from '../values.js';
import { defineRule } from './rule.js';

/** The rules of group 'restapi'. */
export const rules = [
  defineRule(
    {
      id: 'restapi-no-auth',
      group: 'restapi',
      severity: 'warning',
      fileOnly: true,
      docs: {
        title: 'The REST API accepts unsafe requests from anyone.',
        why: 'Without authentication, allowlist or client certificates, anyone who can reach the port can restart, switch over, reinitialise or change the configuration.',
        fix: 'Set `restapi.authentication` (and `ctl.authentication`), an `allowlist`, or `verify_client: required`.',
        example: 'restapi:\n  listen: 0.0.0.0:8008\n  connect_address: 10.0.0.11:8008\n',
      },
    },
    restapi,
  ),
  defineRule({
    id: 'restapi-tls',
    group: 'restapi',
    severity: 'error',
    variants: {
      ctl: { severity: 'warning', when: 'patronictl on this host has no client certificate' },
    },
    docs: {
      title: 'Client certificate verification without a CA, or TLS options without a certificate.',
      why: 'verify_client optional/required needs cafile (and certfile for HTTPS) or Patroni cannot verify clients; keyfile/cafile alone do nothing.',
      fix: 'Set restapi.cafile and restapi.certfile/keyfile; give patronictl ctl.certfile/keyfile.',
      example: 'restapi:\n  certfile: /etc/patroni/rest.crt\n  verify_client: required\n',
    },
  }),
] as const;

function restapi(ctx: RuleContext): void {
  const r = ctx.get(['restapi']);
  if (!isObj(r)) return;
  const auth = isObj(r.authentication) || typeof r.auth === 'string';
  const allow = Array.isArray(r.allowlist) && r.allowlist.length > 0;
  const certs = r.verify_client === 'required' || r.verify_client === 'optional';
  if (!auth && !allow && !certs && !r.allowlist_include_members) {
    ctx.report(
      'restapi-no-auth',
      ['restapi'],
      'The REST API has no authentication, allowlist or client-certificate check: anyone who reaches the port can restart PostgreSQL, switch over, reinitialise or change the configuration. Set restapi.authentication (and ctl.authentication) or an allowlist.',
      { anchor: 'key' },
    );
  }
  if (certs && !r.cafile) {
    ctx.report(
      'restapi-tls',
      ['restapi', 'verify_client'],
      `restapi.verify_client is '${String(r.verify_client)}' but restapi.cafile is not set: Patroni cannot verify client certificates. Set cafile to the CA that signed the client certificates.`,
    );
  }
  if (certs && !r.certfile) {
    ctx.report(
      'restapi-tls',
      ['restapi', 'verify_client'],
      `restapi.verify_client needs HTTPS, but restapi.certfile is not set. Set certfile and keyfile.`,
    );
  }
  if (!r.certfile && (r.keyfile || r.cafile || r.ciphers)) {
    const which = ['keyfile', 'cafile', 'ciphers'].find((k) => r[k]) ?? 'keyfile';
    ctx.report(
      'restapi-tls',
      ['restapi', which],
      `restapi.${which} is set but restapi.certfile is not, so the REST API serves plain HTTP and ${which} has no effect. Set certfile.`,
      {
        anchor: 'key',
      },
    );
  }
  const ctl = ctx.get(['ctl']);
  if (r.verify_client === 'required' && !(isObj(ctl) && ctl.certfile)) {
    ctx.report(
      'restapi-tls',
      ['restapi', 'verify_client'],
      'restapi.verify_client is required but ctl.certfile/ctl.keyfile are not set: patronictl on this host cannot call the REST API. Set them.',
      { variant: 'ctl' },
    );
  }
}
