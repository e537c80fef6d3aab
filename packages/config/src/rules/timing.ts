/** Rule group 'timing': Failover timing: ttl, loop_wait, retry_timeout, the watchdog and the timeline check. */
import { isScalar } from 'yaml';
import type { RuleContext } from '../context.js';
import { locate, type PathSegment } from '../parse.js';
import type { Fix } from '../types.js';
import { isObj, toInt } from '../values.js';
import { defineRule } from './rule.js';

/** The rules of group 'timing'. */
export const rules = [
  defineRule(
    {
      id: 'timing',
      group: 'timing',
      severity: 'warning',
      autofix: true,
      variants: {
        'as-written': { severity: 'error', when: 'Patroni before 3.2 uses the values as written' },
      },
      docs: {
        title: 'loop_wait + 2 × retry_timeout is larger than ttl.',
        why: 'The leader lock could expire before the primary notices a DCS problem: split-brain risk. Patroni 3.2+ silently lowers loop_wait/retry_timeout; 3.0 uses the values as written (error).',
        fix: 'Keep `loop_wait + 2*retry_timeout <= ttl` (defaults 10 + 2×10 <= 30).',
        example: 'bootstrap:\n  dcs:\n    ttl: 30\n    loop_wait: 10\n    retry_timeout: 15\n',
      },
    },
    timing,
  ),
  defineRule(
    {
      id: 'watchdog-timing',
      group: 'timing',
      severity: 'warning',
      variants: {
        required: { severity: 'error', when: 'watchdog.mode is required: the node can never become leader' },
      },
      fileOnly: true,
      docs: {
        title: 'The watchdog timeout (ttl − safety_margin) is shorter than loop_wait.',
        why: 'Patroni then treats the watchdog as unusable; with `mode: required` the node can never become leader.',
        fix: 'Lower safety_margin or loop_wait, or raise ttl.',
        example: 'watchdog:\n  mode: required\n  safety_margin: 25\n',
      },
    },
    watchdog,
  ),
  defineRule(
    {
      id: 'check-timeline',
      group: 'timing',
      severity: 'warning',
      docs: {
        title:
          'The dynamic configuration (bootstrap.dcs, or the DCS document with --dcs) does not set `check_timeline: true`.',
        why: "check_timeline (Patroni 1.5.4+, PR #892) is off by default, and then only WAL positions decide the leader race. After a failover, a full restart can let the old leader, still on the older timeline but with a higher WAL position, win the race and promote to a divergent timeline: writes acknowledged by the newer leader are lost, and the other members cannot stream from it (Patroni issue #2175). Patroni's own Jepsen suite runs with check_timeline and failsafe_mode on.",
        fix: 'Set `check_timeline: true` in bootstrap.dcs (new clusters) or with `patroni-kit edit-config -s check_timeline=true` (running clusters).',
        example: 'bootstrap:\n  dcs:\n    ttl: 30\n    loop_wait: 10\n',
      },
    },
    checkTimeline,
  ),
] as const;

function timing(ctx: RuleContext): void {
  const dyn = ctx.dyn;
  if (!dyn) return;
  const base = ctx.dynPath;
  const ttl = toInt(dyn.ttl);
  const loopWait = toInt(dyn.loop_wait);
  const retry = toInt(dyn.retry_timeout);
  if (ttl === undefined && loopWait === undefined && retry === undefined) return;
  // 3.2+ first raises values below the minimums (reported by the schema check), then enforces the sum
  const raise = ctx.atLeast('3.2.0');
  const t = raise ? Math.max(ttl ?? 30, 20) : (ttl ?? 30);
  const l = raise ? Math.max(loopWait ?? 10, 1) : (loopWait ?? 10);
  const r = raise ? Math.max(retry ?? 10, 3) : (retry ?? 10);
  if (l + 2 * r > t) {
    const target: PathSegment[] = [
      ...base,
      retry !== undefined ? 'retry_timeout' : loopWait !== undefined ? 'loop_wait' : 'ttl',
    ];
    const adjusted =
      1 + 2 * r > t ? `loop_wait=1 and retry_timeout=${Math.floor((t - 1) / 2)}` : `loop_wait=${t - 2 * r}`;
    ctx.report(
      'timing',
      target,
      `loop_wait + 2*retry_timeout = ${l} + 2*${r} = ${l + 2 * r} exceeds ttl ${t}: the leader lock can expire before the primary notices a DCS problem (split-brain risk). ${ctx.atLeast('3.2.0') ? `Patroni ${ctx.release} silently runs with ${adjusted} instead.` : `Patroni ${ctx.release} uses these values as written.`} Keep loop_wait + 2*retry_timeout <= ttl (defaults 10 + 2*10 <= 30).`,
      {
        ...(ctx.atLeast('3.2.0') ? {} : { variant: 'as-written' }),
        ...timingFix(ctx, target, t, l, r),
      },
    );
  }
}

/**
 * The smallest edit that satisfies `loop_wait + 2*retry_timeout <= ttl`: lower the value the finding points
 * at (retry_timeout, else loop_wait) when that stays within Patroni's minimums, else raise a written ttl.
 * Only plain integer scalars written in the file are edited (an alias or a template is left to the user).
 */
function timingFix(ctx: RuleContext, target: PathSegment[], t: number, l: number, r: number): { fix?: Fix } {
  const key = target[target.length - 1];
  const base = target.slice(0, -1);
  const tries: Array<[string, number, number, number, number]> = [];
  if (key === 'retry_timeout')
    tries.push(['retry_timeout', Math.floor((t - l) / 2), 3, l, Math.floor((t - l) / 2)]);
  if (key === 'loop_wait') tries.push(['loop_wait', t - 2 * r, 1, t - 2 * r, r]);
  tries.push(['ttl', l + 2 * r, 20, l, r]);
  for (const [name, value, min, nl, nr] of tries) {
    if (value < min) continue;
    const loc = locate(ctx.parsed.doc, [...base, name]);
    const node = loc.depth === base.length + 1 ? loc.value : undefined;
    if (!node || !isScalar(node) || !node.range || toInt(node.value) === undefined) continue;
    const nt = name === 'ttl' ? value : t;
    return {
      fix: {
        description: `Set ${name} to ${value} (loop_wait + 2*retry_timeout = ${nl} + 2*${nr} = ${nl + 2 * nr} <= ttl ${nt})`,
        edits: [{ offset: node.range[0], length: node.range[1] - node.range[0], text: String(value) }],
      },
    };
  }
  return {};
}

function watchdog(ctx: RuleContext): void {
  const w = ctx.get(['watchdog']);
  if (!isObj(w) || w.mode === 'off' || w.mode === false) return;
  const dyn = ctx.dyn;
  const ttl = toInt(dyn?.ttl) ?? 30;
  const loopWait = toInt(dyn?.loop_wait) ?? 10;
  const margin = toInt(w.safety_margin) ?? 5;
  const timeout = margin === -1 ? Math.floor(ttl / 2) : ttl - margin;
  if (timeout < loopWait) {
    ctx.report(
      'watchdog-timing',
      ['watchdog', 'safety_margin'],
      `The watchdog timeout would be ${timeout}s (ttl ${ttl} − safety_margin ${margin}), shorter than loop_wait ${loopWait}s: Patroni treats the watchdog as unusable${w.mode === 'required' ? ' and, with mode required, this node can never become leader' : ''}. Lower safety_margin or loop_wait.`,
      {
        anchor: ctx.inFile(['watchdog', 'safety_margin']) ? 'value' : 'key',
        ...(w.mode === 'required' ? { variant: 'required' } : {}),
      },
    );
  }
}

function checkTimeline(ctx: RuleContext): void {
  const dyn = ctx.dyn;
  if (!dyn || dyn.check_timeline === true) return;
  const path = [...ctx.dynPath, 'check_timeline'];
  const where = ctx.dynamicDoc ? 'The dynamic configuration' : 'bootstrap.dcs';
  ctx.report(
    'check-timeline',
    ctx.inFile(path) ? path : ctx.dynPath,
    `${where} ${dyn.check_timeline === undefined ? 'does not set check_timeline' : `sets check_timeline to ${JSON.stringify(dyn.check_timeline)}`}: after a failover, a full restart can let the old leader (older timeline, higher WAL position) win the leader race and promote to a divergent timeline, losing writes the newer leader acknowledged. Set check_timeline: true${ctx.dynamicDoc ? ' (patroni-kit edit-config -s check_timeline=true)' : ''}.`,
    { anchor: 'key' },
  );
}
