/** Rule group 'names': Member, scope and slot names. */
import type { RuleContext } from '../context.js';
import { isObj } from '../values.js';
import { defineRule } from './rule.js';
import { STRICT_SYNC_PLACEHOLDER, slotNameFromMember } from './util.js';

/** The rules of group 'names'. */
export const rules = [
  defineRule(
    {
      id: 'member-name',
      group: 'names',
      severity: 'warning',
      variants: {
        invalid: { severity: 'error', when: 'the name is empty, reserved or contains a slash' },
      },
      fileOnly: true,
      docs: {
        title: 'A member name Patroni has to rewrite for its replication slot, or a name it rejects.',
        why: 'Slot names allow only [a-z0-9_] and 63 characters: Patroni lower-cases, maps `-`/`.` to `_` and encodes other characters, so different names can collide.',
        fix: 'Use lower-case letters, digits and underscores (hyphens are accepted but rewritten).',
        example: 'name: DB Node #1\n',
      },
    },
    names,
  ),
  defineRule(
    {
      id: 'slot-name',
      group: 'names',
      severity: 'error',
      variants: {
        'physical-extra': { severity: 'warning', when: 'a physical slot with database/plugin' },
        'member-slot': { severity: 'info', when: 'a permanent slot named like this member' },
      },
      docs: {
        title: 'An invalid permanent replication slot.',
        why: 'Names must match ^[a-z0-9_]{1,63}$; logical slots need database and plugin; slots need use_slots. Patroni skips bad slots with an error in its log.',
        fix: 'Rename the slot, add database and plugin, or enable use_slots.',
        example: 'bootstrap:\n  dcs:\n    slots:\n      Debezium-Slot:\n        type: logical\n',
      },
    },
    slots,
  ),
  defineRule({
    id: 'scope-name',
    group: 'names',
    severity: 'warning',
    docs: {
      title: 'A scope with `/` or unusual characters.',
      why: 'The scope is a DCS path component and PostgreSQL cluster_name; `/` creates nested DCS paths.',
      fix: 'Use letters, digits, `-` and `_`.',
      example: 'scope: prod/main\n',
    },
  }),
] as const;

function names(ctx: RuleContext): void {
  const name = ctx.data.name;
  if (typeof name === 'string' && !/\{\{|\$\{|@[A-Z_]+@|<[A-Za-z]|__[A-Z][A-Z0-9_]*__/.test(name)) {
    if (name === '')
      ctx.report('member-name', ['name'], 'The member name is empty; give every member a unique name.', {
        variant: 'invalid',
      });
    else if (name === STRICT_SYNC_PLACEHOLDER)
      ctx.report(
        'member-name',
        ['name'],
        `'${name}' is reserved by Patroni for strict synchronous mode; choose another name.`,
        { variant: 'invalid' },
      );
    else if (name.includes('/'))
      ctx.report(
        'member-name',
        ['name'],
        `Member name '${name}' contains '/': it becomes a DCS key component (members/<name>) and Patroni's slot name. Use letters, digits, '-' and '_'.`,
        { variant: 'invalid' },
      );
    else {
      const slot = slotNameFromMember(name);
      if (slot !== name && !/^[a-z0-9_.-]+$/.test(name)) {
        ctx.report(
          'member-name',
          ['name'],
          `Member name '${name}' becomes replication slot '${slot}' (slot names allow only [a-z0-9_], max 63); different names can collide after this rewrite. Prefer lower-case letters, digits and '_'.`,
        );
      } else if (name.length > 63) {
        ctx.report(
          'member-name',
          ['name'],
          `Member name is ${name.length} characters; its slot name is cut to 63, so names sharing the first 63 characters collide.`,
        );
      }
    }
  }
  const scope = ctx.data.scope;
  if (typeof scope === 'string') {
    if (scope.includes('/'))
      ctx.report(
        'scope-name',
        ['scope'],
        `scope '${scope}' contains '/', which creates nested DCS paths (Patroni does not normalise it). Use '-' or '_' instead.`,
      );
    else if (scope === '') ctx.report('scope-name', ['scope'], 'scope is empty; every cluster needs a name.');
    else if (/\s/.test(scope))
      ctx.report(
        'scope-name',
        ['scope'],
        `scope '${scope}' contains whitespace; it is a DCS path component and cluster_name. Use '-' or '_'.`,
      );
  }
}

function slots(ctx: RuleContext): void {
  const dyn = ctx.dyn;
  if (!dyn) return;
  const base = ctx.dynPath;
  const key = ['slots', 'permanent_slots', 'permanent_replication_slots'].find((k) => dyn[k] !== undefined);
  if (!key) return;
  const slotsObj = dyn[key];
  if (!isObj(slotsObj)) return;
  const useSlots = ctx.get([...base, 'postgresql', 'use_slots']);
  if (useSlots === false && Object.keys(slotsObj).length > 0) {
    ctx.report(
      'slot-name',
      [...base, key],
      'Permanent slots need postgresql.use_slots, which is false here: Patroni does not create them. Enable use_slots or remove the slots.',
      { anchor: 'key' },
    );
  }
  for (const [name, def] of Object.entries(slotsObj)) {
    const p = [...base, key, name];
    if (!/^[a-z0-9_]{1,63}$/.test(name)) {
      ctx.report(
        'slot-name',
        p,
        `Slot name '${name}' is invalid: replication slot names must match ^[a-z0-9_]{1,63}$ (Patroni skips it with an error). Suggested: '${slotNameFromMember(name)}'.`,
        { anchor: 'key' },
      );
    }
    if (isObj(def)) {
      const logical =
        def.type === 'logical' ||
        (def.type === undefined && (def.database !== undefined || def.plugin !== undefined));
      if (logical && (typeof def.database !== 'string' || typeof def.plugin !== 'string')) {
        const missing = ['database', 'plugin'].filter((k) => typeof def[k] !== 'string');
        ctx.report(
          'slot-name',
          p,
          `Logical slot '${name}' needs ${missing.join(' and ')}; Patroni skips it. Add ${missing.join(' and ')}.`,
          { anchor: 'key' },
        );
      }
      if (def.type === 'physical' && (def.database !== undefined || def.plugin !== undefined)) {
        ctx.report(
          'slot-name',
          p,
          `Physical slot '${name}' has database/plugin, which only logical slots use.`,
          { variant: 'physical-extra', anchor: 'key' },
        );
      }
    }
  }
  if (
    !ctx.dynamicDoc &&
    typeof ctx.data.name === 'string' &&
    slotsObj[slotNameFromMember(ctx.data.name)] !== undefined
  ) {
    ctx.report(
      'slot-name',
      [...base, key, slotNameFromMember(ctx.data.name)],
      `Permanent slot '${slotNameFromMember(ctx.data.name)}' has the slot name of member '${ctx.data.name}': it is kept even when that member is gone, retaining WAL on the primary.`,
      { variant: 'member-slot', anchor: 'key' },
    );
  }
}
