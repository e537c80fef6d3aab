/**
 * Turns ajv errors into findings people can act on, and finds unknown keys, keys at the wrong level and
 * keys the chosen Patroni version does not read.
 */
import type { ErrorObject } from 'ajv';
import { isScalar } from 'yaml';
import { compareVersions, isObj, type RuleContext, toInt } from './context.js';
import { locate, type PathSegment } from './parse.js';
import { moveFix } from './rules/util.js';
import { declaredKeys, knownKeyPaths, type SchemaNode, schemaAt, validateSchema } from './schema.js';
import type { Fix } from './types.js';

/** Top-level keys that only mean something in the dynamic configuration. */
const DYNAMIC_TOP = new Set(declaredKeys(['bootstrap', 'dcs']));
/** postgresql.* keys Patroni drops when found in the DCS. */
const LOCAL_ONLY_PG = new Set([
  'connect_address',
  'proxy_address',
  'listen',
  'config_dir',
  'data_dir',
  'pgpass',
  'authentication',
  'bin_dir',
  'bin_name',
]);
const DCS_NAMES = ['consul', 'etcd', 'etcd3', 'exhibitor', 'kubernetes', 'raft', 'zookeeper'];

function decodePointer(pointer: string, data: unknown): PathSegment[] {
  if (pointer === '') return [];
  const out: PathSegment[] = [];
  let cur: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      const i = Number.parseInt(seg, 10);
      out.push(i);
      cur = cur[i];
    } else {
      out.push(seg);
      cur = isObj(cur) ? cur[seg] : undefined;
    }
  }
  return out;
}

/** Edit distance (insert/delete/replace/transpose), capped for speed. */
export function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 99;
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) d[i] = [i];
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** Close matches of `key` among `candidates`. */
export function suggestions(key: string, candidates: readonly string[]): string[] {
  const lower = key.toLowerCase().replace(/-/g, '_');
  const exact = candidates.filter((c) => c === lower);
  if (exact.length > 0) return exact;
  const limit = key.length <= 4 ? 1 : 2;
  const scored = candidates
    .map((c) => [c, distance(lower, c)] as const)
    .filter(([, d]) => d <= limit)
    .sort((x, y) => x[1] - y[1]);
  return scored.map(([c]) => c);
}

function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'empty';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `${typeof v} ${String(v)}`;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean (true/false, unquoted)',
  object: 'a mapping',
  array: 'a list',
  null: 'empty',
};

function typeWords(types: unknown): string {
  const list = (Array.isArray(types) ? types : String(types).split(',')).filter(
    (t) => t !== 'null' || Array.isArray(types),
  );
  return list.map((t) => TYPE_WORDS[String(t)] ?? String(t)).join(' or ');
}

/** Is `path` under a custom method section (postgresql.<method>, bootstrap.<method>) the user declared? */
function methodSection(ctx: RuleContext, path: readonly PathSegment[]): 'replica' | 'bootstrap' | undefined {
  if (ctx.dynamicDoc || path.length < 2) return undefined;
  const [top, name] = path;
  if (typeof name !== 'string') return undefined;
  if (top === 'postgresql' && !declaredKeys(['postgresql']).includes(name)) return 'replica';
  if (top === 'bootstrap' && !declaredKeys(['bootstrap']).includes(name)) return 'bootstrap';
  return undefined;
}

function replicaMethods(ctx: RuleContext): string[] {
  const out: string[] = [];
  for (const p of [
    ['postgresql', 'create_replica_methods'],
    ['postgresql', 'create_replica_method'],
    [...ctx.dynPath, 'standby_cluster', 'create_replica_methods'],
  ]) {
    const v = ctx.get(p);
    if (Array.isArray(v))
      for (const m of v)
        if (typeof m === 'string') out.push(m);
        else if (typeof v === 'string') out.push(v);
  }
  return out;
}

/** Reports an unknown key: misplaced dynamic/local key, key known elsewhere, misspelling, or plain unknown. */
function reportUnknown(ctx: RuleContext, parent: PathSegment[], key: string, siblings: string[]): void {
  const path = [...parent, key];
  const parentDotted = parent.join('.');
  const dynPrefix = ctx.dynPath.join('.');
  if (!ctx.dynamicDoc && parent.length === 0 && DYNAMIC_TOP.has(key)) {
    const applies = ctx.get(['bootstrap', 'dcs', key]) ?? schemaAt(['bootstrap', 'dcs', key])?.default;
    const same = applies !== undefined && JSON.stringify(applies) === JSON.stringify(ctx.get(path));
    ctx.report(
      'dynamic-key-in-local',
      path,
      `'${key}' at the top level of patroni.yml has no effect: Patroni reads it only from the dynamic configuration${same ? ' (here it equals the value that applies)' : applies === undefined ? '' : `, so ${JSON.stringify(applies)} applies instead`}. Move it under bootstrap.dcs (first start of the cluster) or change it with \`patronictl edit-config\`.`,
      {
        anchor: 'key',
        ...(same ? { variant: 'same-value' } : {}),
        ...(ctx.get(['bootstrap', 'dcs', key]) === undefined ? moveFix(ctx, path, ['bootstrap', 'dcs']) : {}),
      },
    );
    return;
  }
  if (parentDotted === (dynPrefix ? `${dynPrefix}.postgresql` : 'postgresql') && LOCAL_ONLY_PG.has(key)) {
    ctx.report(
      'local-key-in-dcs',
      path,
      `postgresql.${key} is ignored in the dynamic configuration (Patroni drops it there). Set it in the local postgresql section of each member.`,
      { anchor: 'key' },
    );
    return;
  }
  if (
    parentDotted === dynPrefix &&
    !ctx.dynamicDoc &&
    (DCS_NAMES.includes(key) ||
      ['name', 'scope', 'restapi', 'namespace', 'tags', 'watchdog', 'log', 'ctl', 'citus'].includes(key))
  ) {
    ctx.report(
      'local-key-in-dcs',
      path,
      `'${key}' is a local setting; inside bootstrap.dcs it is copied into the DCS and ignored. Move it to the top level of patroni.yml.`,
      { anchor: 'key' },
    );
    return;
  }
  const close = suggestions(key, siblings);
  if (close.length > 0) {
    const best = close[0]!;
    const loc = locate(ctx.parsed.doc, path);
    const fix =
      close.length === 1 && loc.key?.range && isScalar(loc.key) && !ctx.get([...parent, best])
        ? {
            description: `Rename '${key}' to '${best}'`,
            edits: [{ offset: loc.key.range[0], length: loc.key.range[1] - loc.key.range[0], text: best }],
          }
        : undefined;
    ctx.report(
      'unknown-key',
      path,
      `Unknown key '${key}'${parentDotted ? ` in ${parentDotted}` : ''}; did you mean '${close.join("' or '")}'? Patroni ignores unknown keys silently, so this setting does not apply.`,
      { variant: 'misspelled', anchor: 'key', ...(fix ? { fix } : {}) },
    );
    return;
  }
  const elsewhere = (knownKeyPaths().get(key) ?? [])
    .map((p) => p.join('.'))
    .filter((p) => p !== path.join('.'));
  if (elsewhere.length > 0 && !(ctx.dynamicDoc && parent.length === 0)) {
    const shown = elsewhere.slice(0, 3).map((p) => (ctx.dynamicDoc ? p.replace(/^bootstrap\.dcs\./, '') : p));
    ctx.report(
      'wrong-level',
      path,
      `'${key}' is not read here${parentDotted ? ` (under ${parentDotted})` : ' (top level)'}; Patroni expects it at ${shown.join(' or ')}. Move it there.`,
      { anchor: 'key' },
    );
    return;
  }
  if (ctx.dynamicDoc) {
    const local = knownKeyPaths().get(key);
    if (local && parent.length === 0) {
      ctx.report(
        'local-key-in-dcs',
        path,
        `'${key}' is a local setting and is ignored in the dynamic configuration.`,
        {
          anchor: 'key',
        },
      );
      return;
    }
  }
  ctx.report(
    'unknown-key',
    path,
    `Unknown key '${key}'${parentDotted ? ` in ${parentDotted}` : ''}: Patroni ignores it. Remove it, or check the spelling and the nesting level.`,
    { anchor: 'key' },
  );
}

/** Walks the data and reports keys not declared by the schema (ajv's additionalProperties does most). */
export function schemaFindings(ctx: RuleContext): void {
  const errors = validateSchema(ctx.data, ctx.dynamicDoc);
  const handledPrefixes: string[] = [];
  const anyOfPaths = new Set<string>();

  // unknown keys under open sections (postgresql.<x>, bootstrap.<x>, tags.<x>) need our own logic
  customSectionKeys(ctx, handledPrefixes);

  const grouped = errors.filter((e) => e.keyword === 'anyOf');
  for (const e of grouped) anyOfPaths.add(`${e.instancePath}|${e.schemaPath}`);

  for (const e of errors) {
    const path = decodePointer(e.instancePath, ctx.data);
    const pointer = e.instancePath;
    if (handledPrefixes.some((p) => pointer === p || pointer.startsWith(`${p}/`))) continue;
    if (e.keyword === 'propertyNames' || e.propertyName !== undefined) continue; // the slot-name rule says more
    // sub-errors of an anyOf are summarised by the anyOf error itself
    if (
      grouped.some(
        (g) =>
          g !== e && e.schemaPath.startsWith(`${g.schemaPath}/`) && e.instancePath.startsWith(g.instancePath),
      )
    )
      continue;
    mapError(ctx, e, path, errors);
  }
}

function customSectionKeys(ctx: RuleContext, handled: string[]): void {
  if (ctx.dynamicDoc) return;
  const methods = replicaMethods(ctx);
  const pg = ctx.get(['postgresql']);
  if (isObj(pg)) {
    const declared = declaredKeys(['postgresql']);
    for (const [k, v] of Object.entries(pg)) {
      if (declared.includes(k)) continue;
      if (methods.includes(k) && isObj(v)) continue;
      if (isObj(v) && ('command' in v || methods.length === 0)) continue;
      handled.push(`/postgresql/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
      reportUnknown(ctx, ['postgresql'], k, declared);
    }
  }
  const bs = ctx.get(['bootstrap']);
  if (isObj(bs)) {
    const declared = declaredKeys(['bootstrap']);
    const method = bs.method;
    for (const [k, v] of Object.entries(bs)) {
      if (declared.includes(k)) continue;
      if (k === method && isObj(v)) continue;
      if (isObj(v) && 'command' in v) continue;
      handled.push(`/bootstrap/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
      reportUnknown(ctx, ['bootstrap'], k, declared);
    }
  }
  const tags = ctx.get(['tags']);
  if (isObj(tags)) {
    const declared = declaredKeys(['tags']);
    for (const k of Object.keys(tags)) {
      if (declared.includes(k)) continue;
      const close = suggestions(k, declared);
      if (close.length > 0 && k.toLowerCase() !== close[0]) {
        ctx.report(
          'unknown-key',
          ['tags', k],
          `Tag '${k}' is not a built-in tag, so Patroni treats it as a custom tag with no effect; did you mean '${close.join("' or '")}'?`,
          { anchor: 'key' },
        );
      } else if (close.length > 0) {
        ctx.report(
          'unknown-key',
          ['tags', k],
          `Tag '${k}' must be spelled '${close[0]}' (tags are case-sensitive); as written it has no effect.`,
          { variant: 'misspelled', anchor: 'key' },
        );
      }
    }
  }
}

/** A fix replacing a wrongly-cased enum value by the allowed spelling. */
function caseFix(ctx: RuleContext, path: PathSegment[], value: unknown, allowed: unknown[]): { fix?: Fix } {
  if (typeof value !== 'string') return {};
  const ci = allowed.filter((a) => typeof a === 'string' && a.toLowerCase() === value.toLowerCase());
  const loc = locate(ctx.parsed.doc, path);
  if (ci.length === 0 || !loc.value || !isScalar(loc.value) || !loc.value.range) return {};
  const r = loc.value.range;
  return {
    fix: {
      description: `Use '${String(ci[0])}'`,
      edits: [{ offset: r[0], length: r[1] - r[0], text: String(ci[0]) }],
    },
  };
}

function mapError(ctx: RuleContext, e: ErrorObject, path: PathSegment[], all: ErrorObject[]): void {
  const dotted = path.join('.');
  const value = ctx.get(path);
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      if (methodSection(ctx, [...path, key])) return;
      reportUnknown(ctx, path, key, declaredKeys(path, ctx.dynamicDoc));
      return;
    }
    case 'required': {
      const missing = String(params.missingProperty);
      const full = [...path, missing];
      const where = dotted ? `${dotted}.${missing}` : missing;
      const dcsHint = missing === 'dcs' && dotted === 'bootstrap' ? ' (use `dcs: {}` for the defaults)' : '';
      ctx.report(
        'missing-key',
        full,
        `Required key '${where}' is missing${dcsHint}. Add it to the file or set it through its PATRONI_* environment variable.`,
        { anchor: 'key' },
      );
      return;
    }
    case 'type': {
      if (
        path[0] === 'tags' &&
        path.length === 2 &&
        ![
          'nofailover',
          'failover_priority',
          'clonefrom',
          'noloadbalance',
          'replicatefrom',
          'nosync',
          'sync_priority',
          'nostream',
        ].includes(String(path[1]))
      ) {
        ctx.report(
          'tag-type',
          path,
          `Custom tag '${path[1]}' has ${describeValue(value)}; tags must be scalars (string, number, boolean). Patroni publishes it as-is and health-check filters cannot match it.`,
        );
        return;
      }
      const rule = path[0] === 'tags' ? 'tag-type' : 'type-mismatch';
      if (
        rule === 'type-mismatch' &&
        typeof value === 'number' &&
        Number.isFinite(value) &&
        String(params.type).includes('integer')
      ) {
        // Patroni reads integer settings with Python's int(), which truncates: the file does not say what runs.
        const loc = locate(ctx.parsed.doc, path);
        const runs = Math.trunc(value);
        ctx.report(
          rule,
          path,
          `${dotted} is ${String(value)}, but it is an integer setting: Patroni truncates it to ${runs}. Write ${runs}.`,
          {
            variant: 'float-for-int',
            ...(loc.value && isScalar(loc.value) && loc.value.range
              ? {
                  fix: {
                    description: `Write ${runs}`,
                    edits: [
                      {
                        offset: loc.value.range[0],
                        length: loc.value.range[1] - loc.value.range[0],
                        text: String(runs),
                      },
                    ],
                  },
                }
              : {}),
          },
        );
        return;
      }
      const quotedBool =
        typeof value === 'string' &&
        /^(true|false|yes|no|on|off)$/i.test(value) &&
        String(params.type).includes('boolean');
      const loc = locate(ctx.parsed.doc, path);
      const fix =
        quotedBool && loc.value && isScalar(loc.value) && loc.value.range
          ? {
              description: `Write ${value.toLowerCase()} as an unquoted boolean`,
              edits: [
                {
                  offset: loc.value.range[0],
                  length: loc.value.range[1] - loc.value.range[0],
                  text: /^(true|yes|on)$/i.test(value) ? 'true' : 'false',
                },
              ],
            }
          : undefined;
      ctx.report(
        rule,
        path,
        `${dotted || 'The document'} must be ${typeWords(params.type)}, not ${describeValue(value)}.${quotedBool ? ' Quoted "true"/"false" is a string, and any non-empty string counts as true in Python.' : ''}`,
        fix ? { fix } : {},
      );
      return;
    }
    case 'enum':
    case 'const': {
      const allowed = (params.allowedValues as unknown[] | undefined) ?? [params.allowedValue];
      const ci = allowed.filter(
        (a) => typeof a === 'string' && typeof value === 'string' && a.toLowerCase() === value.toLowerCase(),
      );
      const loc = locate(ctx.parsed.doc, path);
      const fix =
        ci.length >= 1 && loc.value && isScalar(loc.value) && loc.value.range
          ? {
              description: `Use '${ci[0]}'`,
              edits: [
                {
                  offset: loc.value.range[0],
                  length: loc.value.range[1] - loc.value.range[0],
                  text: String(ci[0]),
                },
              ],
            }
          : undefined;
      ctx.report(
        'invalid-value',
        path,
        `${dotted} is ${describeValue(value)}; allowed: ${allowed.map((a) => JSON.stringify(a)).join(', ')}.`,
        fix ? { fix } : {},
      );
      return;
    }
    case 'minimum':
    case 'maximum': {
      const timingKey =
        path.length === ctx.dynPath.length + 1 &&
        ['ttl', 'loop_wait', 'retry_timeout'].includes(String(path.at(-1)));
      if (timingKey && e.keyword === 'minimum' && path.slice(0, -1).join('.') === ctx.dynPath.join('.')) {
        // Patroni 3.2+ raises these at run time, and its validator rejects them; 3.0 uses them as written
        const n = toInt(value) ?? 0;
        const limit = String(params.limit);
        if (!ctx.atLeast('3.2.0')) {
          if (n > 0) return; // 3.0 runs with it; the timing rule checks the sum
        } else if (ctx.dynamicDoc) {
          // nothing validates the DCS: Patroni silently runs with the minimum
          ctx.report(
            'timing',
            path,
            `${dotted} is ${String(value)}, below ${limit}: Patroni ${ctx.release} silently raises it to ${limit}. Write ${limit} or more so the configuration says what runs.`,
          );
          return;
        } else {
          ctx.report(
            'invalid-value',
            path,
            `${dotted} is ${String(value)}, below ${limit}: \`patroni --validate-config\` rejects it (and Patroni ${ctx.release} raises it to ${limit} at start). Write ${limit} or more.`,
          );
          return;
        }
      }
      const node = schemaAt(path, ctx.dynamicDoc);
      const def =
        node?.default !== undefined ? ` (Patroni's default is ${JSON.stringify(node.default)})` : '';
      ctx.report(
        'invalid-value',
        path,
        `${dotted} is ${String(value)}; it must be ${e.keyword === 'minimum' ? '>=' : '<='} ${String(params.limit)}${def}.`,
      );
      return;
    }
    case 'pattern': {
      const node = schemaAt(path, ctx.dynamicDoc);
      const types = node?.type;
      const wantsInt = Array.isArray(types) && types.includes('integer');
      const wantsHostPort = String(params.pattern).includes(':\\d');
      ctx.report(
        wantsInt ? 'type-mismatch' : 'invalid-value',
        path,
        wantsInt
          ? `${dotted} must be an integer${String(params.pattern).includes('min') ? ' (optionally with a unit: s, min, h, d)' : ''}, not ${describeValue(value)}.`
          : wantsHostPort
            ? `${dotted} must be host:port, not ${describeValue(value)}.`
            : `${dotted} is ${describeValue(value)}, which does not have the expected form.`,
      );
      return;
    }
    case 'minLength':
      ctx.report('invalid-value', path, `${dotted} is an empty string; give it a value or remove the key.`);
      return;
    case 'minItems':
      ctx.report(
        'invalid-value',
        path,
        `${dotted} is an empty list; give at least one item or remove the key.`,
      );
      return;
    case 'minProperties':
    case 'maxProperties':
      ctx.report(
        'invalid-value',
        path,
        `${dotted} must be a mapping with exactly one key (e.g. \`- encoding: UTF8\`).`,
      );
      return;
    case 'anyOf': {
      const subs = all.filter(
        (s) => s !== e && s.schemaPath.startsWith(`${e.schemaPath}/`) && s.instancePath === e.instancePath,
      );
      if (subs.length > 0 && subs.every((s) => s.keyword === 'required')) {
        const options = [
          ...new Set(subs.map((s) => String((s.params as { missingProperty?: string }).missingProperty))),
        ];
        ctx.report('missing-key', path, `${dotted} needs at least one of: ${options.join(', ')}.`, {
          anchor: 'key',
        });
        return;
      }
      const types = [
        ...new Set(
          subs.filter((s) => s.keyword === 'type').map((s) => String((s.params as { type?: string }).type)),
        ),
      ];
      const consts = subs
        .filter((s) => s.keyword === 'const' || s.keyword === 'enum')
        .flatMap(
          (s) =>
            ((s.params as { allowedValues?: unknown[] }).allowedValues ?? [
              (s.params as { allowedValue?: unknown }).allowedValue,
            ]) as unknown[],
        );
      if (types.length > 0 && !subs.some((s) => s.keyword === 'const' || s.keyword === 'enum')) {
        ctx.report(
          'type-mismatch',
          path,
          `${dotted} must be ${types.map((t) => typeWords(t)).join(' or ')}, not ${describeValue(value)}.`,
        );
      } else if (consts.length > 0) {
        ctx.report(
          'invalid-value',
          path,
          `${dotted} is ${describeValue(value)}; allowed: ${[...types.filter((t) => t !== 'string').map((t) => typeWords(t)), ...consts.map((c) => JSON.stringify(c))].join(', ')}.`,
          caseFix(ctx, path, value, consts),
        );
      } else {
        const inner = subs.find((s) => s.instancePath !== e.instancePath);
        ctx.report(
          'invalid-value',
          inner ? decodePointer(inner.instancePath, ctx.data) : path,
          `${dotted} does not have an accepted form.`,
        );
      }
      return;
    }
    default:
      ctx.report('invalid-value', path, `${dotted}: ${e.message ?? 'invalid value'}.`);
  }
}

/** Legacy spellings with a drop-in replacement (same value, new name). */
const RENAMES: Record<string, string> = {
  master_start_timeout: 'primary_start_timeout',
  master_stop_timeout: 'primary_stop_timeout',
  create_replica_method: 'create_replica_methods',
  permanent_slots: 'slots',
  permanent_replication_slots: 'slots',
  discovery_srv: 'srv',
  srv_domain: 'srv',
  no_master: 'no_leader',
};

/** Keys the target Patroni version does not read (too new, or removed), and deprecated spellings. */
export function versionFindings(ctx: RuleContext): void {
  const root = ctx.data;
  const stack: Array<[unknown, PathSegment[]]> = [[root, []]];
  let steps = 0;
  while (stack.length > 0 && steps++ < 20_000) {
    const [value, path] = stack.pop()!;
    if (!isObj(value)) continue;
    for (const [k, v] of Object.entries(value)) {
      const p = [...path, k];
      const node: SchemaNode | undefined = schemaAt(p, ctx.dynamicDoc);
      const parent = schemaAt(path, ctx.dynamicDoc);
      const declared = parent?.properties?.[k] !== undefined;
      if (!node || !declared) {
        if (isObj(v) && node) stack.push([v, p]);
        continue;
      }
      const since = node['x-patroni-since'];
      const removed = node['x-patroni-removed'];
      if (since && compareVersions(ctx.release, since) < 0) {
        ctx.report(
          'version-unsupported-key',
          p,
          `${p.join('.')} needs Patroni ${since} or later; Patroni ${ctx.release} ignores it. Remove it or upgrade (checked for --patroni-version ${ctx.version}).`,
          { anchor: 'key' },
        );
      } else if (removed && compareVersions(ctx.release, removed) >= 0 && k !== 'users') {
        ctx.report(
          'version-unsupported-key',
          p,
          `${p.join('.')} is ignored since Patroni ${removed}: ${node.deprecationMessage ?? 'remove it'}.`,
          {
            anchor: 'key',
          },
        );
      } else if (node.deprecated && k !== 'users' && k !== 'raft') {
        const replacement = RENAMES[k];
        const loc = locate(ctx.parsed.doc, p);
        const fix =
          replacement && value[replacement] === undefined && loc.key?.range && isScalar(loc.key)
            ? {
                description: `Rename '${k}' to '${replacement}'`,
                edits: [
                  {
                    offset: loc.key.range[0],
                    length: loc.key.range[1] - loc.key.range[0],
                    text: replacement,
                  },
                ],
              }
            : undefined;
        ctx.report(
          'deprecated-key',
          p,
          `${p.join('.')} is a legacy setting: ${node.deprecationMessage ?? 'see the documentation'}`,
          { anchor: 'key', ...(fix ? { fix } : {}) },
        );
      }
      if (isObj(v)) stack.push([v, p]);
    }
  }
}
