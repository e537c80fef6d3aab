/**
 * Parsing patroni.yml safely and keeping source positions.
 *
 * Patroni reads its files with PyYAML (YAML 1.1), so `on`/`yes` are booleans and `0644` is octal; we parse
 * the same way (except for `y`/`n`, which PyYAML keeps as strings). Hostile input (binary data, huge files,
 * alias bombs, deep nesting) becomes a finding instead of an exception or a hang.
 */
import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  parseDocument,
  type Scalar,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import type { Finding, Severity } from './types.js';

/** Default largest accepted input: Patroni configs are a few kB. */
export const DEFAULT_MAX_BYTES = 256 * 1024; // 50 times the largest real configuration; bounds the worst case of the YAML parser
/** Deepest nesting accepted; real configs stay below 10. */
export const MAX_DEPTH = 64;
/** Most alias dereferences accepted when building the value (a YAML "billion laughs" needs many). */
export const MAX_ALIAS_COUNT = 200;

/** One step of a config path: a mapping key or a sequence index. */
export type PathSegment = string | number;

/** Where something is in the text: character offsets, end exclusive. */
export interface Span {
  start: number;
  end: number;
}

/** A parsed configuration with a way back from config paths to source positions. */
export interface ParsedConfig {
  text: string;
  /** The plain value (as Patroni would see it), or undefined when the text is not usable YAML. */
  data: unknown;
  /** Findings produced while reading: syntax, duplicate keys, unsafe input. */
  findings: Finding[];
  doc: Document.Parsed | undefined;
  lineCounter: LineCounter;
}

const PYYAML_TRUE = /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/;
const PYYAML_FALSE = /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/;

type TagList = Array<{ tag: string; test?: RegExp; default?: boolean | 'key' }>;
// biome-ignore lint/suspicious/noExplicitAny: the yaml package types custom tag lists loosely
function pyyamlTags(tags: any[]): any[] {
  return (tags as TagList).map((t) => {
    if (t.tag !== 'tag:yaml.org,2002:bool' || !t.test) return t;
    const isTrue = t.test.test('true');
    return { ...t, test: isTrue ? PYYAML_TRUE : PYYAML_FALSE };
  });
}

/** Turns an offset into a 1-based line and column. */
export function position(lc: LineCounter, offset: number): { line: number; column: number } {
  const p = lc.linePos(offset);
  return { line: p.line, column: p.col };
}

/** Builds a finding located at `span` of the parsed text. */
export function findingAt(
  parsed: { lineCounter: LineCounter; text: string },
  span: Span,
  rule: string,
  severity: Severity,
  path: string,
  message: string,
): Finding {
  const start = Math.max(0, Math.min(span.start, parsed.text.length));
  const end = Math.max(start, Math.min(span.end, parsed.text.length));
  const a = position(parsed.lineCounter, start);
  const b = position(parsed.lineCounter, end);
  return {
    rule,
    severity,
    path,
    message,
    line: a.line,
    column: a.column,
    endLine: b.line,
    endColumn: b.column,
  };
}

function firstLineSpan(text: string): Span {
  const nl = text.indexOf('\n');
  return { start: 0, end: nl < 0 ? Math.min(text.length, 200) : nl };
}

/** True when the bytes are not text: NUL bytes or invalid UTF-8. */
export function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 64 * 1024);
  for (let i = 0; i < n; i++) if (bytes[i] === 0) return true;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return false;
  } catch {
    return true;
  }
}

/** Cheap bound on flow-collection nesting ([ and { outside quotes), checked before the parser runs. */
function flowDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = '';
      else if (c === '\n') quote = '';
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') {
      depth++;
      if (depth > max) max = depth;
    } else if (c === ']' || c === '}') depth = Math.max(0, depth - 1);
    else if (c === '#') {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl;
    }
  }
  return max;
}

/** Deepest nesting of the AST, walked without recursion. */
function astDepth(root: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[root, 1]];
  let steps = 0;
  while (stack.length > 0 && steps++ < 2_000_000) {
    const [node, depth] = stack.pop()!;
    if (depth > max) max = depth;
    if (depth > MAX_DEPTH) return depth;
    if (isMap(node) || isSeq(node)) {
      for (const item of node.items) stack.push([item, depth + 1]);
    } else if (isPair(node)) {
      stack.push([node.key, depth]);
      stack.push([node.value, depth]);
    }
  }
  return max;
}

/** Parses bytes or text. Never throws: problems come back as findings. */
export function parseConfig(input: string | Uint8Array, maxBytes = DEFAULT_MAX_BYTES): ParsedConfig {
  const lineCounter = new LineCounter();
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    if (input.length > maxBytes)
      return early('', lineCounter, 'input-too-large', `${input.length} bytes`, maxBytes);
    if (looksBinary(input)) {
      return {
        text: '',
        data: undefined,
        doc: undefined,
        lineCounter,
        findings: [
          {
            rule: 'input-binary',
            severity: 'error',
            path: '',
            message:
              'The file is not UTF-8 text (NUL bytes or invalid UTF-8): it is not a Patroni configuration. Check the file name, or re-save it as UTF-8.',
            line: 1,
            column: 1,
            endLine: 1,
            endColumn: 1,
          },
        ],
      };
    }
    text = new TextDecoder('utf-8').decode(input);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.length > maxBytes)
    return early(text, lineCounter, 'input-too-large', `${text.length} characters`, maxBytes);
  if (text.includes('\u0000')) {
    return early(text, lineCounter, 'input-binary', '', maxBytes);
  }
  const parsed: ParsedConfig = { text, data: undefined, findings: [], doc: undefined, lineCounter };
  if (flowDepth(text) > MAX_DEPTH) {
    // the parser never ran, so fill the line table ourselves for the position
    parsed.lineCounter = new LineCounter();
    parsed.lineCounter.addNewLine(0);
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1))
      parsed.lineCounter.addNewLine(i + 1);
    parsed.findings.push({
      ...findingAt(parsed, firstLineSpan(text), 'yaml-too-deep', 'error', '', ''),
      message: `Collections are nested more than ${MAX_DEPTH} levels deep; no Patroni configuration needs that. Flatten the structure (the file may be corrupt or hostile).`,
    });
    return parsed;
  }
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, {
      version: '1.1',
      lineCounter,
      // duplicateKeys() below reports duplicates with both positions; the parser's own check is quadratic in
      // the number of keys of a mapping (10 s for a 256 KiB file) and would only repeat it.
      uniqueKeys: false,
      // Warnings (e.g. a mapping used as a key) would go to stderr quoting the key, which may hold a password.
      logLevel: 'error',
      prettyErrors: false,
      customTags: pyyamlTags,
    });
  } catch (err) {
    parsed.findings.push({
      ...findingAt(parsed, firstLineSpan(text), 'yaml-syntax', 'error', '', ''),
      message: `The YAML parser gave up (${err instanceof Error ? err.message : String(err)}). Fix the YAML syntax.`,
    });
    return parsed;
  }
  parsed.doc = doc;
  for (const e of doc.errors) {
    if (e.code === 'DUPLICATE_KEY') continue; // reported with both positions by duplicateKeys()
    const msg = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    const lineStart = text.lastIndexOf('\n', e.pos[0] - 1) + 1;
    const lineEnd = text.indexOf('\n', e.pos[0]);
    const lineText = text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd);
    const placeholder =
      /@[A-Z][A-Z_]{0,64}@|\{\{.{0,200}?\}\}|\{%.{0,200}?%\}|%\{[^}]{0,200}\}|__[A-Z][A-Z0-9_]{0,64}__/.exec(
        lineText.slice(0, 10_000),
      );
    if (placeholder) {
      parsed.findings.push(
        findingAt(
          parsed,
          {
            start: lineStart + placeholder.index,
            end: lineStart + placeholder.index + placeholder[0].length,
          },
          'template-placeholder',
          'error',
          '',
          `Unrendered template placeholder '${placeholder[0]}' (the YAML is not even valid until it is replaced). Render the template or fill in the value.`,
        ),
      );
      continue;
    }
    parsed.findings.push(
      findingAt(
        parsed,
        { start: e.pos[0], end: Math.max(e.pos[1], e.pos[0] + 1) },
        'yaml-syntax',
        'error',
        '',
        `YAML syntax error: ${msg}. Patroni cannot load this file; fix the syntax at this position.`,
      ),
    );
  }
  parsed.findings.push(...duplicateKeys(parsed, doc));
  if (
    parsed.findings.some(
      (f) => f.rule === 'yaml-syntax' || (f.rule === 'template-placeholder' && f.path === ''),
    )
  )
    return parsed;
  const depth = astDepth(doc.contents);
  if (depth > MAX_DEPTH) {
    parsed.findings.push({
      ...findingAt(parsed, firstLineSpan(text), 'yaml-too-deep', 'error', '', ''),
      message: `Mappings or lists are nested more than ${MAX_DEPTH} levels deep; no Patroni configuration needs that. Flatten the structure (the file may be corrupt or hostile).`,
    });
    return parsed;
  }
  try {
    parsed.data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    const bomb = err instanceof ReferenceError && /alias/i.test(err.message);
    parsed.findings.push({
      ...findingAt(parsed, firstLineSpan(text), bomb ? 'yaml-alias-limit' : 'yaml-syntax', 'error', '', ''),
      message: bomb
        ? `The file expands YAML aliases more than ${MAX_ALIAS_COUNT} times (an "alias bomb"). Replace the aliases (*name) by plain values.`
        : `The YAML cannot be turned into a value (${err instanceof Error ? err.message : String(err)}). Fix the YAML.`,
    });
  }
  return parsed;
}

function early(
  text: string,
  lineCounter: LineCounter,
  rule: string,
  size: string,
  maxBytes: number,
): ParsedConfig {
  const message =
    rule === 'input-too-large'
      ? `The input is ${size}, more than the ${maxBytes} accepted: a Patroni configuration is a few kB. Check that this is the right file.`
      : 'The text contains NUL characters: it is not a Patroni configuration. Check the file.';
  return {
    text,
    data: undefined,
    doc: undefined,
    lineCounter,
    findings: [{ rule, severity: 'error', path: '', message, line: 1, column: 1, endLine: 1, endColumn: 1 }],
  };
}

function keyString(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  if (key === null || key === undefined) return '';
  return String(key);
}

/** Duplicate keys: PyYAML silently keeps the last one, which hides the earlier setting. */
function duplicateKeys(parsed: ParsedConfig, doc: Document.Parsed): Finding[] {
  const out: Finding[] = [];
  const stack: Array<[unknown, PathSegment[]]> = [[doc.contents, []]];
  let steps = 0;
  while (stack.length > 0 && steps++ < 200_000) {
    const [node, path] = stack.pop()!;
    if (isMap(node)) {
      const seen = new Map<string, Pair>();
      for (const pair of node.items) {
        const k = keyString(pair.key);
        const previous = seen.get(k);
        if (previous && k !== '<<') {
          const keyNode = pair.key as Node;
          const prevKey = previous.key as Node;
          const prevLine = prevKey.range ? position(parsed.lineCounter, prevKey.range[0]).line : 0;
          const f = findingAt(
            parsed,
            spanOf(keyNode),
            'yaml-duplicate-key',
            'error',
            joinPath([...path, k]),
            `Key '${k}' appears again (first at line ${prevLine}). Patroni keeps only the last value and silently drops the earlier one; remove one of them.`,
          );
          const removal = pairRemoval(parsed.text, previous);
          if (removal)
            f.fix = { description: `Remove the earlier '${k}' (line ${prevLine})`, edits: [removal] };
          out.push(f);
        }
        seen.set(k, pair);
        stack.push([pair.value, [...path, k]]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        stack.push([item, [...path, i]]);
      });
    }
  }
  return out;
}

/** Span of a node (value part) or of a whole pair. */
export function spanOf(node: unknown): Span {
  if (isPair(node)) {
    const k = node.key as Node | null;
    const v = node.value as Node | null;
    const start = k?.range?.[0] ?? v?.range?.[0] ?? 0;
    const end = v?.range?.[1] ?? k?.range?.[1] ?? start;
    return { start, end };
  }
  const n = node as Node | null;
  if (n?.range) return { start: n.range[0], end: n.range[1] };
  return { start: 0, end: 0 };
}

/** Joins a config path the way findings show it: `a.b[2].c`. */
export function joinPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

/** Location of a config path in the AST: the pair (for mapping keys) and the value node. */
export interface Located {
  pair?: Pair;
  key?: Node;
  value?: Node | null;
  /** How many leading segments were found (less than the path length when only a parent exists). */
  depth: number;
}

/** Finds `path` in the document; follows aliases; stops at the deepest existing ancestor. */
export function locate(doc: Document.Parsed | undefined, path: readonly PathSegment[]): Located {
  if (!doc) return { depth: 0 };
  let node: unknown = doc.contents;
  let result: Located = { value: node as Node, depth: 0 };
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = findPair(node as YAMLMap, String(seg));
      if (!pair) return result;
      node = pair.value;
      result = { pair, key: pair.key as Node, value: pair.value as Node | null, depth: i + 1 };
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = (node as YAMLSeq).items[seg];
      if (item === undefined) return result;
      node = item;
      result = { value: item as Node, depth: i + 1 };
    } else {
      return result;
    }
  }
  return result;
}

function findPair(map: YAMLMap, key: string): Pair | undefined {
  let found: Pair | undefined;
  for (const pair of map.items) if (keyString(pair.key) === key) found = pair; // last wins, like PyYAML
  return found;
}

/** An edit that deletes a whole `key: value` pair including its line(s), for block mappings. */
export function pairRemoval(
  text: string,
  pair: Pair,
): { offset: number; length: number; text: string } | undefined {
  const k = pair.key as Node | null;
  const v = pair.value as Node | null;
  if (!k?.range) return undefined;
  const start = text.lastIndexOf('\n', k.range[0] - 1) + 1;
  if (text.slice(start, k.range[0]).trim() !== '') return undefined;
  const last = Math.max(k.range[1], v?.range?.[1] ?? 0);
  const nl = text.indexOf('\n', Math.max(last - 1, k.range[0]));
  const end = nl < 0 ? text.length : nl + 1;
  return { offset: start, length: end - start, text: '' };
}

/** Scalar value of a node, for rules that need the written form. */
export function scalarSource(node: unknown): string | undefined {
  if (isScalar(node)) return (node as Scalar).source ?? String((node as Scalar).value);
  return undefined;
}
