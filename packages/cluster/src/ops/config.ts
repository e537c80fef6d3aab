/** The dynamic configuration: pause/resume (one implementation), `PATCH /config`, and `edit-config`. */
import { readYaml } from '@patroni-kit/config/yaml';
import type { DynamicConfig } from '@patroni-kit/dcs';
import { errorInfo, isPatroniKitError } from '@patroni-kit/errors';
import {
  failedWith,
  type OpContext,
  type Report,
  refused,
  reporter,
  waitFor,
  withSignal,
  writeOrder,
} from '../context.js';
import { applyPatch, diffToPatch, settingsToPatch, unifiedDiff } from '../edit.js';
import { DEFAULT_TIMEOUTS_MS } from '../timeouts.js';
import type { ActionOptions, ActionResult, ClusterView } from '../types.js';
import { configOf } from './reads.js';

/** Options of `pause` and `resume`. */
export interface PauseOptions extends ActionOptions {
  /** Wait until every member reports the new state. */
  wait?: boolean;
  timeoutMs?: number;
}

/** Options of `editConfig`. */
export interface EditConfigOptions extends ActionOptions {
  /** `path=value` settings (patronictl `-s`), values parsed as YAML. */
  set?: string[];
  /** `guc=value` PostgreSQL parameters (patronictl `-p`). */
  pg?: string[];
  /** A merge patch (`null` deletes), like `--apply`. */
  patch?: Record<string, unknown>;
  /** A whole new configuration, like `--replace`. */
  replace?: Record<string, unknown>;
  /** Compute and return the diff without writing. */
  dryRun?: boolean;
  /** The config revision the change was based on (e.g. what an editor showed); a newer one refuses the edit. */
  baseRevision?: string;
  /**
   * Called with the diff (and, after it, the lint warnings the change introduces) before writing; return false
   * to abort (nothing is written).
   */
  confirm?: (diff: string) => Promise<boolean> | boolean;
  /**
   * Write even when the linted result has errors Patroni cannot use (CLI `--allow-invalid`). Without it such a
   * change is refused with check `config-valid` and nothing is written.
   */
  allowInvalid?: boolean;
}

/** A lint finding on the dynamic configuration that an edit introduces. */
export interface ConfigFinding {
  rule: string;
  severity: 'error' | 'warning' | 'info';
  path: string;
  message: string;
}

/** What `editConfig` reports besides the outcome. */
export interface EditConfigDetails {
  diff: string;
  changed: boolean;
  /** Lint findings (`lint --dcs`) the change introduces: errors refuse the edit, warnings go with the diff. */
  findings?: ConfigFinding[];
  before: DynamicConfig;
  after: DynamicConfig;
  [key: string]: unknown;
}

/**
 * `patronictl pause` (`pause: true`) and `resume` (`pause: false`): `PATCH /config {"pause": true|null}`;
 * with `wait`, until every reachable member reports the new state.
 */
export async function setPause(
  ctx: OpContext,
  pause: boolean,
  opts: PauseOptions = {},
): Promise<ActionResult> {
  const action = pause ? 'pause' : 'resume';
  const report = reporter(ctx, opts.onProgress);
  const view = await ctx.read(withSignal(opts.signal));
  if (pause && view.paused) return refused(action, 'not-paused', 'Cluster is already paused');
  if (!pause && !view.paused) return refused(action, 'paused', 'Cluster is not paused');
  const res = await patchConfig(ctx, view, { pause: pause ? true : null }, opts, report);
  if (res.outcome !== 'succeeded' || !opts.wait) return { ...res, action };
  try {
    await waitFor(
      ctx,
      `every member to report ${action}`,
      async () => {
        const v = await ctx.read(withSignal(opts.signal));
        const lagging = v.members
          .filter((m) => m.live?.reachable && Boolean(m.live.paused) !== pause)
          .map((m) => m.name);
        return lagging.length === 0
          ? { done: true, value: v }
          : { done: false, waitingFor: `not yet: ${lagging.join(', ')}` };
      },
      { timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUTS_MS.pauseWait, signal: opts.signal, report },
    );
    return { ...res, action, reason: `Success: cluster management is ${pause ? 'paused' : 'resumed'}` };
  } catch (err) {
    return {
      ...res,
      action,
      outcome: 'unknown',
      reason: `the change was written but ${(err as Error).message}`,
      error: errorInfo(err),
    };
  }
}

/** `PATCH /config` to the confirmed leader (else the first reachable member), once. */
export async function patchConfig(
  ctx: OpContext,
  view: ClusterView,
  patch: Record<string, unknown>,
  opts: ActionOptions,
  report: Report = reporter(ctx, opts.onProgress),
): Promise<ActionResult> {
  const action = 'config';
  const m = writeOrder(view)[0];
  if (!m) return refused(action, 'members-reachable', 'no member REST API answers');
  report('send', `sending PATCH /config to ${m.name}`, m.name);
  try {
    const res = await (await ctx.rest(m)).patchConfig(patch, withSignal(opts.signal));
    if (res.outcome === 'succeeded')
      return { action, outcome: 'succeeded', reason: `configuration patched on ${m.name}`, sent: true };
    if (res.outcome === 'failed')
      return {
        action,
        outcome: 'failed',
        reason: `${m.name} refused: ${res.message} (HTTP ${res.status})`,
        sent: true,
        error: errorInfo(res.error),
      };
    return { action, outcome: 'unknown', reason: res.reason, sent: true, error: errorInfo(res.error) };
  } catch (err) {
    return failedWith(action, err, false);
  }
}

/**
 * `patronictl edit-config`: applies settings, a patch or a replacement to the DCS `config`, shows the diff
 * and writes with compare-and-set on the revision that was read (a concurrent change fails, never merges).
 */
export async function editConfig(
  ctx: OpContext,
  opts: EditConfigOptions,
): Promise<ActionResult<EditConfigDetails>> {
  const action = 'edit-config';
  const view = await ctx.read({ ...withSignal(opts.signal), live: false });
  const YAML = await import('yaml');
  const before = view.config ?? (view.source === 'rest' ? await configOf(ctx, view, opts.signal) : undefined);
  if (!before)
    return refused(action, 'config-exists', `The config key does not exist in the cluster ${view.scope}`);
  if (
    opts.baseRevision !== undefined &&
    view.configRevision !== undefined &&
    opts.baseRevision !== view.configRevision
  )
    return refused(action, 'config-unchanged', 'Config modification aborted due to concurrent changes');
  let after: Record<string, unknown> = opts.replace ? { ...opts.replace } : { ...before };
  if (opts.patch) after = applyPatch(after, opts.patch);
  if (opts.set?.length || opts.pg?.length)
    after = applyPatch(
      after,
      settingsToPatch(opts.set ?? [], (t) => readYaml(t, 'a --set value'), opts.pg ?? []),
    );
  const text = (v: unknown) => YAML.stringify(v, { sortMapEntries: true });
  const diff = unifiedDiff(text(before), text(after), 'before', 'after');
  const details: EditConfigDetails = { diff, changed: diff !== '', before, after: after as DynamicConfig };
  if (!diff) return { action, outcome: 'succeeded', reason: 'Not changed', sent: false, details };
  const findings = await lintChange(before, after, text, view.members);
  details.findings = findings;
  const errors = findings.filter((f) => f.severity === 'error');
  const warnings = findings.filter((f) => f.severity === 'warning');
  if (errors.length > 0 && !opts.allowInvalid)
    return refused(
      action,
      'config-valid',
      `the new configuration has ${errors.length} error(s) Patroni cannot use, so nothing was written: ${errors.map((f) => `${f.path || '(top)'}: ${f.message}`).join(' | ')} Fix the value, or pass --allow-invalid (SDK: allowInvalid) to write it anyway.`,
      details,
    );
  if (opts.dryRun)
    return { action, outcome: 'succeeded', reason: 'dry run: nothing written', sent: false, details };
  const shown =
    warnings.length === 0
      ? diff
      : `${diff}${warnings.map((f) => `warning: ${f.path || '(top)'}: ${f.message} [${f.rule}]`).join('\n')}\n`;
  if (opts.confirm && !(await opts.confirm(shown)))
    return {
      action,
      outcome: 'failed',
      reason: 'not confirmed: nothing written',
      sent: false,
      check: 'confirmed',
      details,
    };
  if (view.source === 'dcs' && view.configRevision) {
    reporter(ctx, opts.onProgress)(
      'send',
      `writing the config key (compare-and-set on revision ${view.configRevision})`,
    );
    try {
      const dcs = await ctx.dcs();
      await dcs.editConfig(ctx.scope, () => after as DynamicConfig, {
        expectedRevision: view.configRevision,
        // A full replacement may overwrite a corrupt key; a patch over one would drop what is there.
        overwriteInvalid: opts.replace !== undefined,
        ...(ctx.target.group === undefined ? {} : { group: ctx.target.group }),
        ...withSignal(opts.signal),
      });
      return {
        action,
        outcome: 'succeeded',
        reason: 'configuration changed (compare-and-set on the config key)',
        sent: true,
        details,
      };
    } catch (err) {
      const info = errorInfo(err);
      if (isPatroniKitError(err, 'AMBIGUOUS_WRITE'))
        return { action, outcome: 'unknown', reason: info.message, sent: true, error: info, details };
      return failedWith(action, err, isPatroniKitError(err, 'CONFLICT'), details);
    }
  }
  const res = await patchConfig(ctx, view, diffToPatch(before, after), opts);
  return { ...res, action, details };
}

/**
 * Lints the dynamic configuration after an edit (`lint --dcs`) and returns the findings the edit introduces;
 * Patroni validates nothing there (its issues #1471, #3311), so this is the check before the write.
 */
async function lintChange(
  before: unknown,
  after: unknown,
  text: (v: unknown) => string,
  members: ReadonlyArray<{ live?: { patroniVersion?: string } }>,
): Promise<ConfigFinding[]> {
  const { lintText, parsePatroniVersion } = await import('@patroni-kit/config');
  let patroniVersion: '3.0' | '4.0' | '4.1' = '4.1';
  const versions = members.map((m) => m.live?.patroniVersion).filter((v): v is string => Boolean(v));
  try {
    // the oldest member decides what the cluster accepts
    const oldest = versions.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))[0];
    if (oldest) patroniVersion = parsePatroniVersion(oldest);
  } catch {
    // a version the linter does not know: check for the newest it knows
  }
  const key = (f: { rule: string; path: string; severity: string }) => `${f.rule}|${f.severity}|${f.path}`;
  const old = new Set(lintText(text(before), { dynamic: true, patroniVersion }).findings.map(key));
  return lintText(text(after), { dynamic: true, patroniVersion })
    .findings.filter((f) => f.severity !== 'info' && !old.has(key(f)))
    .map((f) => ({ rule: f.rule, severity: f.severity, path: f.path, message: f.message }));
}
