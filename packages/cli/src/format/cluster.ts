/** Output of `list`, `topology`, `history` and action results: patronictl's table, json, yaml and tsv. */
import type { ActionResult, ClusterView, MemberView } from '@patroni-kit/cluster';
import { lagInMb } from '@patroni-kit/cluster';

/** Output formats of patronictl's `-f/--format`. */
export type OutputFormat = 'pretty' | 'json' | 'yaml' | 'tsv';

/** Parses `-f` (patronictl accepts `pretty`, `table` is our alias, `yml` = `yaml`). */
export function parseFormat(value: string | undefined): OutputFormat | undefined {
  if (value === undefined) return 'pretty';
  const v = value.toLowerCase();
  if (v === 'pretty' || v === 'table') return 'pretty';
  if (v === 'json' || v === 'tsv') return v;
  if (v === 'yaml' || v === 'yml') return 'yaml';
  return undefined;
}

type Cell = string | number;
type Row = Record<string, Cell | Record<string, unknown> | undefined>;

const rightAligned = new Set(['TL', 'Lag in MB', 'LSN']);

/** A boxed table in prettytable's style (multi-line cells, numbers right-aligned), title in the top border. */
export function boxTable(header: string[], rows: Cell[][], title?: string): string {
  const cells = rows.map((r) => r.map((c) => String(c).split('\n')));
  const widths = header.map((h, i) =>
    Math.max(h.length, ...cells.map((r) => Math.max(...(r[i] ?? ['']).map((l) => l.length)))),
  );
  const sep = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const line = (values: string[], align: boolean[]) =>
    `| ${values.map((v, i) => (align[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join(' | ')} |`;
  const out: string[] = [];
  if (title) {
    const t = `+ ${title} `;
    out.push(t.length < sep.length ? t + sep.slice(t.length) : `${t}+`);
  } else out.push(sep);
  out.push(
    line(
      header,
      header.map(() => false),
    ),
    sep,
  );
  for (const [ri, row] of cells.entries()) {
    const height = Math.max(1, ...row.map((c) => c.length));
    const align = header.map((h, i) => rightAligned.has(h) && typeof rows[ri]![i] === 'number');
    for (let k = 0; k < height; k++)
      out.push(
        line(
          row.map((c) => c[k] ?? ''),
          align,
        ),
      );
  }
  out.push(sep);
  return out.join('\n');
}

function hostColumn(view: ClusterView): (m: MemberView) => string {
  const hosts = view.members.map((m) => m.host ?? '');
  const withPort = view.members.some((m) => (m.port ?? 5432) !== 5432) || new Set(hosts).size < hosts.length;
  return (m) => (m.host === undefined ? '' : withPort ? `${m.host}:${m.port ?? 5432}` : m.host);
}

function roleTitle(role: string): string {
  return role
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}

function tagsFlow(tags: Record<string, unknown>): string {
  return `{${Object.entries(tags)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ')}}`;
}

function tagsBlock(tags: Record<string, unknown>): string {
  return Object.entries(tags)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join('\n');
}

/** patronictl's list rows (columns in order; empty values omitted, ints stay ints). */
export function listRows(
  view: ClusterView,
  opts: { extended?: boolean; order?: MemberView[] } = {},
): {
  columns: string[];
  rows: Row[];
} {
  const members = opts.order ?? view.members;
  const host = hostColumn(view);
  const columns = ['Cluster', 'Member', 'Host', 'Role', 'State', 'TL', 'Lag in MB'];
  const anyPending = opts.extended || members.some((m) => m.pendingRestart);
  const anyReason = opts.extended || members.some((m) => m.pendingRestartReason);
  const anyScheduled = opts.extended || members.some((m) => m.scheduledRestart);
  const anyTags = opts.extended || members.some((m) => Object.keys(m.tags).length > 0);
  if (anyPending) columns.push('Pending restart');
  if (anyReason) columns.push('Pending restart reason');
  if (anyScheduled) columns.push('Scheduled restart');
  if (anyTags) columns.push('Tags');
  const rows = members.map((m) => {
    const row: Row = {
      Cluster: view.scope,
      Member: m.name,
      Host: host(m) || undefined,
      Role: roleTitle(m.role),
      State: m.state,
      TL: m.timeline,
      'Lag in MB': lagInMb(m.lag),
    };
    if (anyPending) row['Pending restart'] = m.pendingRestart ? '*' : undefined;
    if (anyReason && m.pendingRestartReason)
      row['Pending restart reason'] = Object.entries(m.pendingRestartReason)
        .map(([k, v]) => `${k}: ${v.old_value}->${v.new_value}`)
        .join('\n');
    if (anyScheduled && m.scheduledRestart) {
      const s = m.scheduledRestart;
      if (typeof s.schedule === 'string')
        row['Scheduled restart'] =
          `${s.schedule}${typeof s.postgres_version === 'string' || typeof s.postgres_version === 'number' ? ` if version < ${s.postgres_version}` : ''}`;
    }
    if (anyTags && Object.keys(m.tags).length > 0) row.Tags = m.tags;
    if (m.live && !m.live.reachable) row.Reachable = 'no';
    return row;
  });
  return { columns, rows };
}

/** Notes printed under a table: unreachable members, disagreements, advisories, warnings. */
export function viewNotes(view: ClusterView): string[] {
  const notes: string[] = [];
  for (const m of view.members)
    if (m.live && !m.live.reachable)
      notes.push(`! ${m.name} is unreachable on its REST API: ${m.live.error?.message ?? 'no answer'}`);
  for (const d of view.disagreements) notes.push(`! sources disagree: ${d.message}`);
  for (const a of view.advisories) notes.push(`! advisory ${a.id}: ${a.message}. Fix: ${a.fix}`);
  for (const w of view.warnings) notes.push(`! ${w}`);
  return notes;
}

function yamlScalar(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  // A nested tag value (a mapping or list) is written as JSON, which YAML reads back as the same value.
  if (typeof v === 'object') return JSON.stringify(v);
  const s = String(v);
  return /^[\w./:@-][\w ./:@()-]*$/.test(s) &&
    !/^(true|false|null|~|yes|no|on|off|[-+]?\d+(\.\d+)?)$/i.test(s) &&
    !s.endsWith(' ')
    ? s
    : JSON.stringify(s);
}

/** A small YAML writer for list rows (flat objects with scalar or one-level object values). */
export function rowsToYaml(rows: Array<Record<string, unknown>>): string {
  if (rows.length === 0) return '[]\n';
  const out: string[] = [];
  for (const row of rows) {
    const keys = Object.keys(row).sort();
    keys.forEach((k, i) => {
      const v = row[k];
      const prefix = i === 0 ? '- ' : '  ';
      if (typeof v === 'object' && v !== null) {
        out.push(`${prefix}${k}:`);
        for (const [tk, tv] of Object.entries(v)) out.push(`    ${tk}: ${yamlScalar(tv)}`);
      } else out.push(`${prefix}${k}: ${yamlScalar(v)}`);
    });
  }
  return `${out.join('\n')}\n`;
}

/** Renders rows in `format`; `title`/`footer` only in pretty. */
export function renderRows(
  columns: string[],
  rows: Row[],
  format: OutputFormat,
  title?: string,
  footer: string[] = [],
): string {
  const clean = rows.map((r) =>
    Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined && v !== '')),
  );
  if (format === 'json') return `${JSON.stringify(clean)}\n`;
  if (format === 'yaml') return rowsToYaml(clean);
  if (format === 'tsv') {
    const cell = (v: unknown) =>
      v === undefined
        ? ''
        : typeof v === 'object' && v !== null
          ? tagsFlow(v as Record<string, unknown>)
          : String(v);
    return `${[columns.join('\t'), ...rows.map((r) => columns.map((c) => cell(r[c])).join('\t'))].join('\n')}\n`;
  }
  const shown = columns.filter((c) => c !== 'Cluster');
  const cells = rows.map((r) =>
    shown.map((c) => {
      const v = r[c];
      if (v === undefined) return '';
      if (typeof v === 'object') return tagsBlock(v as Record<string, unknown>);
      return v;
    }),
  );
  return `${[boxTable(shown, cells, title), ...footer].join('\n')}\n`;
}

/** The pretty title: `Cluster: NAME (SYSID)`. */
export function clusterTitle(view: ClusterView): string {
  const id =
    view.systemId === undefined ? 'uninitialized' : view.systemId === '' ? 'initializing' : view.systemId;
  return `Cluster: ${view.scope} (${id})`;
}

/** Footer lines of patronictl's pretty list. */
export function clusterFooter(view: ClusterView): string[] {
  const out: string[] = [];
  if (view.paused) out.push(' Maintenance mode: on');
  const s = view.scheduledSwitchover;
  if (s) {
    out.push(` Switchover scheduled at: ${s.at}`);
    if (s.from) out.push(`                    from: ${s.from}`);
    if (s.to) out.push(`                      to: ${s.to}`);
  }
  return out;
}

/** Prints an action result for people (or as JSON) and returns the exit code (0, 1 failed, 3 unknown). */
export function renderResult(result: ActionResult<unknown>, json: boolean): { text: string; code: number } {
  const code = result.outcome === 'succeeded' ? 0 : result.outcome === 'failed' ? 1 : 3;
  if (json) return { text: `${JSON.stringify(result, null, 2)}\n`, code };
  const lines: string[] = [];
  const label =
    result.outcome === 'succeeded' ? 'Success' : result.outcome === 'failed' ? 'Failed' : 'Unknown outcome';
  if (result.members && result.members.length > 0) {
    for (const m of result.members) {
      const l = m.outcome === 'succeeded' ? 'Success' : m.outcome === 'failed' ? 'Failed' : 'Unknown outcome';
      lines.push(
        `${l}: ${result.action} on member ${m.member}: ${m.reason}${m.error?.hint ? `\n  hint: ${m.error.hint}` : ''}`,
      );
    }
  } else {
    lines.push(`${label}: ${result.action}: ${result.reason}`);
    if (result.error?.hint) lines.push(`  hint: ${result.error.hint}`);
  }
  if (result.check) lines.push(`  (pre-check ${result.check} refused; nothing was sent)`);
  if (result.outcome === 'unknown')
    lines.push('  The outcome is unknown: read the cluster (patroni-kit list) before trying again.');
  return { text: `${lines.join('\n')}\n`, code };
}
