/**
 * patroni.yml in the editor, as plain TypeScript: the config path under the cursor, hover text from the
 * schema, completion of keys and enum values, quick fixes from the linter's mechanical fixes, cluster-level
 * lint across several files, and which Patroni release line to lint for. Positions come from the AST ranges
 * of `@patroni-kit/config`'s reader (`parseConfig`, the one YAML reader); offsets are UTF-16 code units, as
 * VS Code's `offsetAt`/`positionAt` count.
 */
import {
  applyFixes,
  type ClusterMember,
  clusterGroups,
  compareVersions,
  type Finding,
  type LintResult,
  lintCluster,
  lintText,
  PATRONI_RELEASES,
  type PatroniVersion,
  parseConfig,
  parsePatroniVersion,
  schemaAt,
  sortFindings,
} from '@patroni-kit/config';
import { isAlias, isMap, isPair, isScalar, isSeq, type Node } from 'yaml';
import type { Position0 } from './diagnostics.js';

type Parsed = ReturnType<typeof parseConfig>;
type SchemaNode = NonNullable<ReturnType<typeof schemaAt>>;
type Segment = string | number;

const LINES = Object.keys(PATRONI_RELEASES) as PatroniVersion[];
const MAX_WALK = 64;

/** A range of the text as offsets, end exclusive. */
export interface OffsetRange {
  start: number;
  end: number;
}

/** What is under the cursor: a mapping key, or a scalar value (of a key or a list item). */
export interface PathAt {
  path: Segment[];
  on: 'key' | 'value';
  range: OffsetRange;
}

function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key ?? '');
}

function contains(node: unknown, offset: number): boolean {
  const r = (node as Node | null)?.range;
  // a block collection ends where the next key starts: only a scalar keeps the offset just past its end
  return (
    r !== undefined && r !== null && offset >= r[0] && (offset < r[1] || (offset === r[1] && isScalar(node)))
  );
}

/** The config path at `offset` in a parsed document (undefined between keys or in comments). */
export function pathAt(parsed: Parsed, offset: number): PathAt | undefined {
  let node: unknown = parsed.doc?.contents;
  const path: Segment[] = [];
  for (let depth = 0; depth < MAX_WALK && node; depth++) {
    if (isMap(node)) {
      let next: unknown;
      for (const pair of node.items) {
        const k = pair.key as Node | null;
        if (k?.range && offset >= k.range[0] && offset <= k.range[1] && isScalar(k))
          return { path: [...path, keyText(k)], on: 'key', range: { start: k.range[0], end: k.range[1] } };
      }
      for (const pair of node.items) {
        const k = pair.key as Node | null;
        const v = pair.value as Node | null;
        if (v && !isAlias(v) && contains(v, offset)) {
          path.push(keyText(k));
          next = v;
          break;
        }
      }
      node = next;
    } else if (isSeq(node)) {
      const i = node.items.findIndex((item) => !isAlias(item) && contains(item, offset));
      if (i < 0) return undefined;
      path.push(i);
      node = node.items[i];
    } else if (isScalar(node) && node.range && path.length > 0) {
      return { path, on: 'value', range: { start: node.range[0], end: node.range[1] } };
    } else return undefined;
  }
  return undefined;
}

// ------------------------------------------------------------------------------------------ versions

/**
 * The release line to lint for: the setting, or with `auto` the connected cluster's Patroni version
 * (e.g. `4.0.7`) mapped to its line (same major.minor, else the newest line released before it); `4.1`
 * when nothing is known.
 */
export function resolvePatroniVersion(setting: string | undefined, connected?: string): PatroniVersion {
  if (setting && setting !== 'auto') {
    try {
      return parsePatroniVersion(setting);
    } catch {
      return '4.1';
    }
  }
  if (!connected) return '4.1';
  try {
    return parsePatroniVersion(connected);
  } catch {
    const v = connected.trim().replace(/^v/, '');
    if (!/^\d+(\.\d+)*$/.test(v)) return '4.1';
    const older = LINES.filter((l) => compareVersions(PATRONI_RELEASES[l], v) <= 0);
    return older[older.length - 1] ?? LINES[0] ?? '4.1';
  }
}

/** The checked release lines a key applies to, from its `x-patroni-since` / `x-patroni-removed`. */
export function linesFor(node: SchemaNode): PatroniVersion[] {
  const since = node['x-patroni-since'];
  const removed = node['x-patroni-removed'];
  return LINES.filter(
    (l) =>
      (since === undefined || compareVersions(PATRONI_RELEASES[l], since) >= 0) &&
      (removed === undefined || compareVersions(PATRONI_RELEASES[l], removed) < 0),
  );
}

// ------------------------------------------------------------------------------------------ hover

function typeName(node: SchemaNode): string | undefined {
  const types = new Set<string>();
  const add = (n: SchemaNode) => {
    for (const t of Array.isArray(n.type) ? n.type : n.type ? [n.type] : []) types.add(t);
    if (n.enum) types.add('enum');
    if (n.const !== undefined) types.add(JSON.stringify(n.const));
  };
  add(node);
  for (const a of node.anyOf ?? []) add(a);
  // integers written as strings are accepted (Patroni's parse_int): show what users write
  if (types.has('integer')) types.delete('string');
  return types.size > 0 ? [...types].join(' | ') : undefined;
}

/** Values the schema allows at a node (enum entries, consts, booleans), in schema order. */
export function allowedValues(node: SchemaNode): unknown[] {
  const out: unknown[] = [];
  const add = (n: SchemaNode) => {
    for (const e of n.enum ?? []) out.push(e);
    if (n.const !== undefined) out.push(n.const);
    const t = Array.isArray(n.type) ? n.type : n.type ? [n.type] : [];
    if (t.includes('boolean')) out.push(true, false);
  };
  add(node);
  for (const a of node.anyOf ?? []) add(a);
  return [...new Map(out.map((v) => [JSON.stringify(v), v])).values()];
}

function describe(node: SchemaNode): string {
  // the generated descriptions end with "Default: `x`."; the hover shows the default on its own line
  return (node.description ?? '').replace(/\n\nDefault: `[^`]*`\.?\s*$/, '').trim();
}

/** A hover: Markdown text and the range it belongs to. */
export interface HoverLike {
  markdown: string;
  range: OffsetRange;
}

/** Hover text for the key or value at `offset`: description, type, default, Patroni versions, placement. */
export function hoverAt(
  text: string,
  offset: number,
  version: PatroniVersion = '4.1',
): HoverLike | undefined {
  const parsed = parseConfig(text);
  const at = pathAt(parsed, offset);
  if (!at) return undefined;
  const node = schemaAt(at.path);
  // list items and catch-alls without their own text would only repeat the parent's type
  if (!node?.description) return undefined;
  const name = at.path
    .map((s) => (typeof s === 'number' ? `[${s}]` : s))
    .join('.')
    .replace(/\.\[/g, '[');
  const lines: string[] = [`**${name}**`];
  const desc = describe(node);
  if (desc) lines.push('', desc);
  const facts: string[] = [];
  const type = typeName(node);
  if (type) facts.push(`Type: \`${type}\``);
  if (node.default !== undefined) facts.push(`Default: \`${JSON.stringify(node.default)}\``);
  const allowed = allowedValues(node).filter((v) => typeof v !== 'boolean');
  if (allowed.length > 0) facts.push(`Allowed: ${allowed.map((v) => `\`${JSON.stringify(v)}\``).join(', ')}`);
  const applies = linesFor(node);
  const since = node['x-patroni-since'];
  const removed = node['x-patroni-removed'];
  const range = [since ? `since ${since}` : '', removed ? `removed in ${removed}` : ''].filter(Boolean);
  facts.push(
    `Patroni: ${range.length > 0 ? `${range.join(', ')}; ` : ''}${
      applies.length === LINES.length
        ? `all checked releases (${LINES.map((l) => PATRONI_RELEASES[l]).join(', ')})`
        : applies.length === 0
          ? 'none of the checked releases'
          : `applies to ${applies.map((l) => PATRONI_RELEASES[l]).join(', ')}`
    }`,
  );
  if (!applies.includes(version))
    facts.push(`⚠ Not in Patroni ${PATRONI_RELEASES[version]} (the release diagnostics check against).`);
  const where = node['x-patroni-where'];
  if (where === 'dynamic')
    facts.push(
      'Dynamic setting: lives in the DCS (`bootstrap.dcs` seeds it once, at the first initialisation; later change it with Edit Dynamic Configuration / `patronictl edit-config`).',
    );
  else if (where === 'local') facts.push('Local setting: read from this file on each member.');
  else if (where === 'both') facts.push('Local or dynamic: a value in this file overrides the DCS value.');
  if (node['x-patroni-env']) facts.push(`Environment: \`${node['x-patroni-env']}\``);
  if (node.deprecated)
    facts.push(`Deprecated${node.deprecationMessage ? `: ${node.deprecationMessage}` : '.'}`);
  lines.push('', facts.map((f) => `- ${f}`).join('\n'));
  return { markdown: lines.join('\n'), range: at.range };
}

// ------------------------------------------------------------------------------------------ completion

/** One completion item. */
export interface CompletionLike {
  label: string;
  kind: 'key' | 'value';
  insertText: string;
  detail?: string;
  documentation?: string;
  deprecated: boolean;
  /** True when VS Code should open the suggestions again after inserting (a key with enum values). */
  retrigger: boolean;
  /** Sort key: declared order, deprecated last. */
  sortText: string;
}

/** The completion list at `offset` and the text range the chosen item replaces. */
export interface Completions {
  items: CompletionLike[];
  replace: OffsetRange;
}

interface KeyAt {
  path: Segment[];
  column: number;
  start: number;
  value: unknown;
}

/** Every block-mapping key of the document in text order, with its path and column. */
function keysInOrder(parsed: Parsed): KeyAt[] {
  const out: KeyAt[] = [];
  const stack: Array<[unknown, Segment[]]> = [[parsed.doc?.contents, []]];
  let steps = 0;
  while (stack.length > 0 && steps++ < 100_000) {
    const [node, path] = stack.pop()!;
    if (path.length > MAX_WALK) continue;
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const k = pair.key as Node | null;
        if (!k?.range || !isScalar(k)) continue;
        const p = [...path, keyText(k)];
        out.push({
          path: p,
          column: parsed.lineCounter.linePos(k.range[0]).col - 1,
          start: k.range[0],
          value: pair.value,
        });
        stack.push([pair.value, p]);
      }
    } else if (isSeq(node))
      node.items.forEach((item, i) => {
        stack.push([item, [...path, i]]);
      });
  }
  return out.sort((a, b) => a.start - b.start);
}

/** The mapping that a line indented by `indent` at `lineStart` belongs to, from the keys above it. */
function parentAt(parsed: Parsed, lineStart: number, indent: number): KeyAt | 'root' | undefined {
  const chain: KeyAt[] = [];
  for (const k of keysInOrder(parsed)) {
    if (k.start >= lineStart) break;
    while (chain.length > 0 && chain[chain.length - 1]!.column >= k.column) chain.pop();
    chain.push(k);
  }
  while (chain.length > 0 && chain[chain.length - 1]!.column >= indent) chain.pop();
  return chain[chain.length - 1] ?? (indent === 0 ? 'root' : undefined);
}

function needsQuotes(value: string): boolean {
  // the reader decides: `off` is a boolean and `0644` a number in YAML 1.1, so such strings are quoted
  const read = parseConfig(`v: ${value}\n`).data as { v?: unknown } | undefined;
  return read?.v !== value;
}

function valueText(v: unknown): string {
  if (typeof v === 'string') return needsQuotes(v) ? `'${v.replace(/'/g, "''")}'` : v;
  return JSON.stringify(v);
}

/**
 * Completion at `offset`: on a key position, the keys the schema declares for the enclosing mapping that
 * are not written yet (and apply to `version`); after `key: `, the key's enum values and booleans.
 */
export function completionsAt(text: string, offset: number, version: PatroniVersion = '4.1'): Completions {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const nl = text.indexOf('\n', offset);
  const lineEnd = nl < 0 ? text.length : nl;
  const before = text.slice(lineStart, offset);
  const after = /^[A-Za-z0-9_.-]*/.exec(text.slice(offset, lineEnd))?.[0] ?? '';
  const none: Completions = { items: [], replace: { start: offset, end: offset } };
  // the line being typed is rarely valid YAML yet: read the document without it (same length, so offsets hold)
  const blanked = text.slice(0, lineStart) + ' '.repeat(lineEnd - lineStart) + text.slice(lineEnd);
  const parsed = parseConfig(blanked);
  if (!parsed.doc) return none;
  const keyPos = /^(\s*)(-\s+)?([A-Za-z0-9_.-]*)$/.exec(before);
  const valuePos = /^(\s*)(-\s+)?([A-Za-z0-9_.-]+):[ \t]+(['"]?)([^\s'"#]*)$/.exec(before);
  const m = keyPos ?? valuePos;
  if (!m) return none;
  const indent = (m[1]?.length ?? 0) + (m[2]?.length ?? 0);
  const parent = parentAt(parsed, lineStart, indent);
  if (parent === undefined) return none;
  if (parent !== 'root' && parent.value !== null && !isMap(parent.value)) return none;
  const parentPath = parent === 'root' ? [] : parent.path;
  if (keyPos) {
    const prefix = m[3] ?? '';
    const node = schemaAt(parentPath);
    const present = new Set(
      parent === 'root'
        ? isMap(parsed.doc.contents)
          ? parsed.doc.contents.items.map((p) => keyText(p.key))
          : []
        : isMap(parent.value)
          ? parent.value.items.map((p) => keyText(p.key))
          : [],
    );
    const items: CompletionLike[] = [];
    Object.entries(node?.properties ?? {}).forEach(([key, raw], i) => {
      if (present.has(key)) return;
      const child = schemaAt([...parentPath, key]) ?? raw;
      if (!linesFor(child).includes(version)) return;
      const type = typeName(child);
      const isObject = type === 'object' || (child.properties !== undefined && type === undefined);
      const pad = ' '.repeat(indent + 2);
      const insertText = isObject ? `${key}:\n${pad}` : type === 'array' ? `${key}:\n${pad}- ` : `${key}: `;
      const deprecated = child.deprecated === true || child['x-patroni-removed'] !== undefined;
      const desc = describe(child);
      items.push({
        label: key,
        kind: 'key',
        insertText,
        ...(type ? { detail: type } : {}),
        ...(desc ? { documentation: desc } : {}),
        deprecated,
        retrigger: isObject || allowedValues(child).length > 0,
        sortText: `${deprecated ? '1' : '0'}${String(i).padStart(3, '0')}`,
      });
    });
    return { items, replace: { start: offset - prefix.length, end: offset + after.length } };
  }
  const key = m[3] ?? '';
  const quote = m[4] ?? '';
  const typed = m[5] ?? '';
  const node = schemaAt([...parentPath, key]);
  if (!node) return none;
  const items = allowedValues(node).map(
    (v, i): CompletionLike => ({
      label: typeof v === 'string' ? v : JSON.stringify(v),
      kind: 'value',
      insertText: valueText(v),
      detail: key,
      deprecated: false,
      retrigger: false,
      sortText: String(i).padStart(3, '0'),
    }),
  );
  return { items, replace: { start: offset - typed.length - quote.length, end: offset + after.length } };
}

// ------------------------------------------------------------------------------------------ quick fixes

/** One edit of a code action, as offsets and 0-based positions (from the reader's line table). */
export interface EditLike {
  range: OffsetRange;
  start: Position0;
  end: Position0;
  newText: string;
}

/** A code action built from a linter fix. */
export interface CodeActionLike {
  title: string;
  kind: 'quickfix' | 'source.fixAll';
  /** The finding it resolves (absent for fix-all). */
  finding?: Finding;
  edits: EditLike[];
  isPreferred: boolean;
}

function pos(parsed: Parsed, offset: number): Position0 {
  if (offset >= parsed.text.length) {
    // the line table ends at the last line start; count the rest of the text ourselves
    const lines = parsed.text.split('\n');
    return { line: lines.length - 1, character: lines[lines.length - 1]!.length };
  }
  const p = parsed.lineCounter.linePos(offset);
  return { line: p.line - 1, character: p.col - 1 };
}

function findingRange(parsed: Parsed, f: Finding): OffsetRange {
  const at = (line: number, col: number) => {
    const start = parsed.lineCounter.lineStarts[line - 1] ?? parsed.text.length;
    return start + col - 1;
  };
  return { start: at(f.line, f.column), end: at(f.endLine, f.endColumn) };
}

/**
 * Code actions for the findings touching `range`: each finding's own fix (the linter's edits, as they are),
 * and "fix all" through `applyFixes` when the file has more than one fixable finding.
 */
export function codeActions(
  text: string,
  range: OffsetRange,
  version: PatroniVersion = '4.1',
  result: LintResult = lintText(text, { patroniVersion: version }),
): CodeActionLike[] {
  const parsed = result.parsed.text === text ? result.parsed : parseConfig(text);
  const fixable = result.findings.filter((f) => f.fix && f.fix.edits.length > 0);
  const out: CodeActionLike[] = [];
  for (const f of fixable) {
    const r = findingRange(parsed, f);
    if (r.end < range.start || r.start > range.end) continue;
    out.push({
      title: f.fix!.description,
      kind: 'quickfix',
      finding: f,
      isPreferred: true,
      edits: f.fix!.edits.map((e) => ({
        range: { start: e.offset, end: e.offset + e.length },
        start: pos(parsed, e.offset),
        end: pos(parsed, e.offset + e.length),
        newText: e.text,
      })),
    });
  }
  if (fixable.length > 1) {
    const fixed = applyFixes(text, fixable);
    out.push({
      title: `Fix all patroni-kit problems in this file (${fixed.applied})`,
      kind: 'source.fixAll',
      isPreferred: false,
      edits: [
        {
          range: { start: 0, end: text.length },
          start: pos(parsed, 0),
          end: pos(parsed, text.length),
          newText: fixed.text,
        },
      ],
    });
  }
  return out;
}

// ------------------------------------------------------------------------------------------ workspace lint

/** One patroni.yml of the workspace: an id (the URI), its current text (unsaved edits included), and the
 * name other files' findings call it by (a workspace-relative path; the id when absent). */
export interface WorkspaceFile {
  id: string;
  text: string;
  name?: string;
}

/**
 * Lints every file alone, then the cluster rules of `@patroni-kit/config` over the files grouped into
 * clusters (scope, namespace, overlapping DCS endpoints), as `patroni-kit lint` does for several files.
 * Returns every file's findings, sorted.
 */
export function lintWorkspace(
  files: readonly WorkspaceFile[],
  version: PatroniVersion = '4.1',
): Map<string, Finding[]> {
  // cluster findings name the other files, so members are keyed by their display name (unique per file)
  const names = new Map<string, string>();
  const results = files.map((f) => {
    let name = f.name ?? f.id;
    if (names.has(name)) name = f.id;
    names.set(name, f.id);
    return { file: name, result: lintText(f.text, { patroniVersion: version }) };
  });
  const out = new Map(files.map((f, i) => [f.id, [...results[i]!.result.findings]]));
  const members: ClusterMember[] = results.filter((r) => r.result.data !== undefined);
  const { groups, findings } = clusterGroups(members, version);
  const add = (name: string, extra: readonly Finding[]) => {
    const file = names.get(name) ?? name;
    if (extra.length > 0) out.set(file, sortFindings([...(out.get(file) ?? []), ...extra]));
  };
  for (const [file, extra] of findings) add(file, extra);
  for (const group of groups) {
    if (group.length < 2) continue;
    const found = lintCluster(group, version);
    for (const m of group) add(m.file, found.get(m.file) ?? []);
  }
  return out;
}
