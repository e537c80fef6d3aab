/** Rule group 'templates': Unrendered templates. */
import type { RuleContext } from '../context.js';
import type { PathSegment } from '../parse.js';
import { isObj } from '../values.js';
import { defineRule } from './rule.js';
import { COMMAND_KEY, walkStrings } from './util.js';

/** The rules of group 'templates'. */
export const rules = [
  defineRule(
    {
      id: 'template-placeholder',
      group: 'templates',
      severity: 'error',
      docs: {
        title: 'An unrendered template placeholder ({{ }}, $' + '{ }, <...>, @VAR@, __VAR__, %{ }).',
        why: 'A Jinja/Helm/envsubst/Debian/sed/Terraform template was not rendered; Patroni would use the placeholder literally (or the YAML does not even parse).',
        fix: 'Render the template (or fill in the value).',
        example: 'name: "{{ inventory_hostname }}"\n',
      },
    },
    placeholders,
  ),
] as const;

function placeholders(ctx: RuleContext): void {
  const seenKeys = new Set<string>();
  walkStrings(ctx.data, [], (s, path) => {
    const commandish =
      path.some((p) => typeof p === 'string' && COMMAND_KEY.test(p)) || path.includes('recovery_conf');
    const patterns: Array<[RegExp, string]> = [
      [/\{\{.{0,200}?\}\}|\{%.{0,200}?%\}/, 'a Jinja/Helm/Go template placeholder'],
      [/@[A-Z][A-Z_]{0,64}@/, 'a Debian template placeholder'],
      [/__[A-Z][A-Z0-9_]{0,64}__/, 'a sed-style __PLACEHOLDER__'],
      [/%\{[^}]{0,200}\}/, 'a Terraform template directive'],
    ];
    if (!commandish) {
      patterns.push([/\$\{[A-Za-z_][A-Za-z0-9_]{0,100}\}/, 'an envsubst/shell placeholder']);
      patterns.push([/<[A-Za-z][A-Za-z0-9_ .-]{0,64}>/, 'a <placeholder>']);
    }
    for (const [re, what] of patterns) {
      const m = re.exec(s.length > 4096 ? s.slice(0, 4096) : s); // no real value is longer; bounds the scan
      if (m) {
        ctx.report(
          'template-placeholder',
          path,
          `${path.join('.')} contains ${what} '${m[0]}': the template was not rendered, and Patroni would use it literally. Render the template or fill in the value.`,
        );
        return;
      }
    }
  });
  // placeholders used as keys (e.g. `{{ name }}:` or `@HOSTNAME@:`)
  const stack: Array<[unknown, PathSegment[]]> = [[ctx.data, []]];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (!isObj(v)) continue;
    for (const [k, child] of Object.entries(v)) {
      if (k.length < 1000 && /\{\{.*\}\}|@[A-Z][A-Z_]*@|^\$\{.*\}$/.test(k) && !seenKeys.has(k)) {
        seenKeys.add(k);
        ctx.report(
          'template-placeholder',
          [...path, k],
          `Key '${k}' is an unrendered template placeholder. Render the template.`,
          { anchor: 'key' },
        );
      }
      stack.push([child, [...path, k]]);
    }
  }
}
