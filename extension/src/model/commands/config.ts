/**
 * Edit Dynamic Configuration: the DCS `config` key opened as a YAML document, linted in dynamic mode, and
 * applied with compare-and-set on the revision it was read at. A change someone else made meanwhile is
 * reported, never overwritten.
 */
import { type Finding, lintText, type PatroniVersion, readYaml } from '@patroni-kit/config';
import { describeError } from '@patroni-kit/errors';
import YAML from 'yaml';
import type { ClusterDefinition } from '../connections.js';
import {
  type CommandContext,
  type CommandOutcome,
  type CommandTarget,
  cancelled,
  confirmCommand,
  pickCluster,
  report,
  reportWrite,
  runWithProgress,
  withCluster,
} from './ui.js';

/** One open configuration document: which cluster, and the revision it was read at. */
export interface ConfigSession {
  clusterId: string;
  clusterName: string;
  scope: string;
  revision?: string;
  source: 'dcs' | 'rest';
}

/** The open configuration documents, by document key (the adapter uses the document URI). */
export class ConfigSessions {
  readonly #byDoc = new Map<string, ConfigSession>();
  get(doc: string): ConfigSession | undefined {
    return this.#byDoc.get(doc);
  }
  set(doc: string, s: ConfigSession): void {
    this.#byDoc.set(doc, s);
  }
  delete(doc: string): void {
    this.#byDoc.delete(doc);
  }
  get size(): number {
    return this.#byDoc.size;
  }
}

/** Opens an editable YAML document and returns its key. */
export type OpenEditable = (content: string, session: ConfigSession) => Promise<string>;

/** The document's text: a header saying what it is, then the configuration as sorted YAML. */
export function configDocument(s: ConfigSession, config: unknown): string {
  return [
    `# Dynamic configuration of ${s.clusterName} (scope ${s.scope}), read from the ${s.source === 'dcs' ? 'DCS config key' : 'REST API'}${s.revision ? ` at revision ${s.revision}` : ''}.`,
    '# Edit it, then Save (or "Patroni: Apply Dynamic Configuration", the editor title button): the diff is shown first;',
    '# the write is a compare-and-set, so a change made meanwhile by someone else is reported, not overwritten.',
    // YAML 1.1 output, as Patroni reads it: strings such as `on`, `yes` or `0755` stay quoted strings, so
    // reading the document back gives the same values (no silent `hot_standby: on` → true in the diff).
    YAML.stringify(config, { sortMapEntries: true, version: '1.1' }).trimEnd(),
    '',
  ].join('\n');
}

/** Lints the document as the dynamic configuration (what `lint --dcs` and the SDK's edit pre-check do). */
export function lintConfigDocument(text: string, patroniVersion?: PatroniVersion): Finding[] {
  return lintText(text, { dynamic: true, ...(patroniVersion ? { patroniVersion } : {}) }).findings;
}

/** `patroni.editConfig`: reads the config key and opens it. */
export async function editConfig(
  ctx: CommandContext,
  sessions: ConfigSessions,
  open: OpenEditable,
  target: CommandTarget = {},
): Promise<CommandOutcome & { doc?: string }> {
  const def = await pickCluster(ctx, target);
  if (!def) return cancelled('no cluster');
  let doc: string | undefined;
  const res = await withCluster(ctx, def, 'Edit Dynamic Configuration', async (ops) => {
    const snap = await ops.config();
    const session: ConfigSession = {
      clusterId: def.id,
      clusterName: def.name,
      scope: ops.scope,
      source: snap.source,
      ...(snap.revision === undefined ? {} : { revision: snap.revision }),
    };
    doc = await open(configDocument(session, snap.config), session);
    sessions.set(doc, session);
    return {
      outcome: 'succeeded',
      message: `opened the dynamic configuration of ${def.name}${snap.revision ? ` (revision ${snap.revision})` : ''}`,
    };
  });
  return doc ? { ...res, doc } : res;
}

function parseDocument(text: string): Record<string, unknown> {
  const data = readYaml(text, 'the dynamic configuration');
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new Error('the document must be a YAML mapping (key: value), like the DCS config key');
  return data as Record<string, unknown>;
}

function concurrentMessage(def: ClusterDefinition, s: ConfigSession): string {
  return `Apply on ${def.name} failed: the configuration was changed by someone else since this document was read${s.revision ? ` (revision ${s.revision})` : ''}; nothing was overwritten. Run "Edit Dynamic Configuration" again to edit the current configuration.`;
}

/** `patroni.applyConfig`: lint, dry-run diff, confirmation ("Apply"), then the compare-and-set write. */
export async function applyConfig(
  ctx: CommandContext,
  sessions: ConfigSessions,
  doc: string,
  text: string,
  patroniVersion?: PatroniVersion,
): Promise<CommandOutcome> {
  const session = sessions.get(doc);
  if (!session) {
    const message =
      'Apply: this document is not a dynamic configuration opened by "Patroni: Edit Dynamic Configuration".';
    ctx.ui.error(message);
    return { outcome: 'failed', message };
  }
  const def = ctx.clusters().find((d) => d.id === session.clusterId);
  if (!def) {
    const message = `Apply: the cluster ${session.clusterName} is no longer saved.`;
    ctx.ui.error(message);
    return { outcome: 'failed', message };
  }
  let replace: Record<string, unknown>;
  try {
    replace = parseDocument(text);
  } catch (err) {
    const message = `Apply on ${def.name} failed: ${describeError(err)}; nothing was sent`;
    ctx.ui.error(message);
    return { outcome: 'failed', message };
  }
  const errors = lintConfigDocument(text, patroniVersion).filter((f) => f.severity === 'error');
  if (errors.length > 0) {
    const message = `Apply on ${def.name} failed: ${errors.length} error(s) Patroni cannot use: ${errors
      .map((f) => `${f.path || '(top)'}: ${f.message}`)
      .join(' | ')}; nothing was sent (see the Problems panel)`;
    ctx.ui.error(message);
    return { outcome: 'failed', message };
  }
  return withCluster(ctx, def, 'Apply Dynamic Configuration', async (ops) => {
    const dry = await ops.editConfig({
      replace,
      dryRun: true,
      ...(session.revision === undefined ? {} : { baseRevision: session.revision }),
    });
    if (dry.check === 'config-unchanged' || dry.error?.code === 'CONFLICT') {
      const message = concurrentMessage(def, session);
      ctx.ui.error(message);
      return { outcome: 'failed', message, result: dry };
    }
    if (dry.outcome !== 'succeeded') return report(ctx, `Apply on ${def.name}`, dry);
    if (!dry.details?.changed) {
      const message = `Apply on ${def.name}: no change to write.`;
      ctx.ui.info(message);
      return { outcome: 'succeeded', message, result: dry };
    }
    const warnings = (dry.details.findings ?? []).filter((f) => f.severity === 'warning');
    const detail = `${dry.details.diff}${warnings.map((f) => `warning: ${f.path || '(top)'}: ${f.message}`).join('\n')}`;
    // On a production cluster the diff is shown first, then the typed name is asked.
    if (def.production && !(await ctx.ui.confirm(`Apply this change to ${def.name}?`, detail, 'Apply')))
      return cancelled();
    if (
      !(await confirmCommand(
        ctx,
        'patroni.editConfig',
        def,
        'apply this configuration change',
        detail,
        'Apply',
      ))
    )
      return cancelled();
    const r = await runWithProgress(ctx, `Apply configuration to ${def.name}`, (o) =>
      ops.editConfig(
        { replace, ...(session.revision === undefined ? {} : { baseRevision: session.revision }) },
        o,
      ),
    );
    if (r.check === 'config-unchanged' || r.error?.code === 'CONFLICT') {
      const message = concurrentMessage(def, session);
      ctx.ui.error(message);
      return { outcome: 'failed', message, result: r };
    }
    if (r.outcome === 'succeeded') {
      // Further edits in the same document compare against what was just written.
      // Only when the key holds exactly what was written: adopting someone else's later revision would hide
      // their change from the next compare-and-set.
      const now = await ops.config().catch(() => undefined);
      const same = (v: unknown) => YAML.stringify(v, { sortMapEntries: true });
      if (now?.revision && same(now.config) === same(dry.details.after))
        sessions.set(doc, { ...session, revision: now.revision });
      else sessions.delete(doc);
    }
    return reportWrite(ctx, `Apply on ${def.name}`, r, ops);
  });
}
