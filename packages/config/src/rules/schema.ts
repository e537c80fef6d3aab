/** Rule group 'schema': Schema findings: reported by schema-findings.ts from the JSON Schema (ajv) and the key tables. */
import { defineRule } from './rule.js';

/** The rules of group 'schema'. */
export const rules = [
  defineRule({
    id: 'missing-key',
    group: 'schema',
    severity: 'error',
    source: 'schema',
    docs: {
      title: 'A required key is missing.',
      why: 'Patroni refuses to start (or the section is ignored) without it: name, scope, restapi.listen, restapi.connect_address, postgresql.listen/connect_address/data_dir, the superuser and replication user names, one DCS section, `command` of custom methods, …',
      fix: 'Add the key, or provide it through the PATRONI_* environment variable (then lint with `--env-file`/`--use-env`).',
      example: 'restapi:\n  listen: 0.0.0.0:8008\n',
    },
  }),
  defineRule({
    id: 'unknown-key',
    group: 'schema',
    severity: 'warning',
    variants: {
      misspelled: {
        severity: 'error',
        when: 'the key is a close misspelling of a known key, so the intended setting does not apply',
      },
    },
    autofix: true,
    source: 'schema',
    docs: {
      title: 'A key Patroni does not know. Error when it looks like a misspelling of a known key.',
      why: 'Patroni ignores unknown keys without a word, so a misspelled setting simply does not apply.',
      fix: 'Correct the spelling (`--fix` renames when there is exactly one close match) or remove the key.',
      example: 'postgresql:\n  use_pg_rewnd: true\n',
    },
  }),
  defineRule({
    id: 'wrong-level',
    group: 'schema',
    severity: 'error',
    source: 'schema',
    docs: {
      title: 'A known key written at the wrong nesting level.',
      why: 'Patroni only reads keys where it expects them; elsewhere they are ignored.',
      fix: 'Move the key to the place named in the message.',
      example: 'bootstrap:\n  dcs:\n    use_pg_rewind: true   # belongs under bootstrap.dcs.postgresql\n',
    },
  }),
  defineRule({
    id: 'type-mismatch',
    group: 'schema',
    severity: 'error',
    variants: {
      'float-for-int': {
        severity: 'warning',
        when: 'a number with a fraction for an integer key: Patroni truncates it (10.5 runs as 10)',
      },
    },
    autofix: true,
    source: 'schema',
    docs: {
      title:
        'A value has the wrong type. A warning when a fractional number stands for an integer, which Patroni truncates.',
      why: 'Patroni either rejects it (`--validate-config`) or misbehaves at run time (e.g. a string "false" is true in Python).',
      fix: 'Write the value with the type named in the message (unquote booleans and numbers).',
      example: 'restapi:\n  allowlist: 10.0.0.0/8   # must be a list\n',
    },
  }),
  defineRule({
    id: 'invalid-value',
    group: 'schema',
    severity: 'error',
    autofix: true,
    source: 'schema',
    docs: {
      title: 'A value outside the allowed set or range.',
      why: 'Patroni rejects it or replaces it with its default.',
      fix: 'Use one of the allowed values from the message. `--fix` corrects the letter case of enum values.',
      example: 'bootstrap:\n  dcs:\n    ttl: 5\n',
    },
  }),
  defineRule({
    id: 'version-unsupported-key',
    group: 'schema',
    severity: 'warning',
    source: 'schema',
    docs: {
      title: 'The key is not read by the Patroni version you check for.',
      why: 'Older Patroni versions ignore keys they do not know; newer ones ignore removed keys.',
      fix: 'Remove it, or upgrade Patroni (choose the version with `--patroni-version`).',
      example: 'log:\n  deduplicate_heartbeat_logs: true   # 4.1.0+\n',
    },
  }),
  defineRule({
    id: 'deprecated-key',
    group: 'schema',
    severity: 'info',
    autofix: true,
    source: 'schema',
    docs: {
      title: 'A legacy spelling or a deprecated feature.',
      why: 'Still honoured, but may go away; newer spellings take precedence when both are set.',
      fix: 'Use the replacement named in the message; `--fix` renames drop-in replacements (master_*_timeout, create_replica_method, permanent_slots, discovery_srv, no_master).',
      example: 'postgresql:\n  create_replica_method: [basebackup]\n',
    },
  }),
] as const;
