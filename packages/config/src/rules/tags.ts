/** Rule group 'tags': Member tags. */
import type { RuleContext } from '../context.js';
import { isObj } from '../values.js';
import { defineRule } from './rule.js';

/** The rules of group 'tags'. */
export const rules = [
  defineRule(
    {
      id: 'tag-type',
      group: 'tags',
      severity: 'error',
      autofix: true,
      fileOnly: true,
      docs: {
        title: 'A tag with a value of the wrong type, or contradictory tags.',
        why: 'Patroni reads "false" (a string) as true for boolean tags; nofailover with failover_priority (or nosync with sync_priority) is rejected by the validator; custom tags must be scalars.',
        fix: 'Write booleans unquoted; keep one of each pair; use scalar values for custom tags. `--fix` unquotes booleans.',
        example: 'tags:\n  nofailover: "true"\n',
      },
    },
    tags,
  ),
] as const;

function tags(ctx: RuleContext): void {
  const t = ctx.get(['tags']);
  if (!isObj(t)) return;
  if (t.nofailover !== undefined && t.failover_priority !== undefined) {
    ctx.report(
      'tag-type',
      ['tags', 'failover_priority'],
      'tags.nofailover and tags.failover_priority are both set; Patroni accepts only one of them (nofailover wins at run time). Keep one.',
      {
        anchor: 'key',
      },
    );
  }
  if (t.nosync !== undefined && t.sync_priority !== undefined) {
    ctx.report(
      'tag-type',
      ['tags', 'sync_priority'],
      'tags.nosync and tags.sync_priority are both set; Patroni accepts only one of them. Keep one.',
      {
        anchor: 'key',
      },
    );
  }
  if (typeof t.replicatefrom === 'string' && t.replicatefrom === ctx.data.name) {
    ctx.report(
      'replicatefrom-unknown',
      ['tags', 'replicatefrom'],
      'tags.replicatefrom names this member itself; it then streams from the leader. Name another member.',
    );
  }
}
