/** Rule group 'environment': PATRONI_* environment variables. */
import { defineRule } from './rule.js';

/** The rules of group 'environment'. */
export const rules = [
  defineRule({
    id: 'env-variable',
    group: 'environment',
    severity: 'warning',
    source: 'env',
    docs: {
      title: 'A PATRONI_* environment variable Patroni does not read, or reads differently than expected.',
      why: 'Misspelled variables are ignored; a stray PATRONI_<X>_HOST creates a section "x".',
      fix: 'Correct the variable name.',
      example: 'PATRONI_CONSUL_SCHEME=https   # documented, but not parsed',
    },
  }),
] as const;
