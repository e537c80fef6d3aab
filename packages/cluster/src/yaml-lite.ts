/**
 * A parser for the plain subset of YAML that patronictl configs use (block mappings and sequences, plain and
 * quoted scalars, `[a, b]` lists, comments). Anything else returns `undefined` and the caller loads npm
 * `yaml`: loading that package costs more than the rest of `patroni-kit list` together.
 */

const UNSUPPORTED = Symbol('unsupported');

interface Line {
  indent: number;
  text: string;
}

/** Parses `src` when it stays inside the subset; `undefined` means "use a full YAML parser". */
export function parseSimpleYaml(src: string): unknown {
  try {
    return new Parser(src).document();
  } catch (err) {
    if (err === UNSUPPORTED) return undefined;
    throw err;
  }
}

function fail(): never {
  throw UNSUPPORTED;
}

/** Removes a trailing comment outside quotes. */
function stripComment(text: string): string {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      if (i === 0 || /[\s[,:-]/.test(text[i - 1]!)) quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) return text.slice(0, i).trimEnd();
  }
  if (quote) fail();
  return text.trimEnd();
}

class Parser {
  #lines: Line[] = [];
  #i = 0;

  constructor(src: string) {
    for (const raw of src.split(/\r?\n/)) {
      if (/^\s*\t/.test(raw)) fail();
      const text = stripComment(raw);
      if (text.trim() === '') continue;
      if (text === '---' && this.#lines.length === 0) continue;
      if (/^(---|\.\.\.)(\s|$)/.test(text) || /^%/.test(text)) fail();
      const indent = text.length - text.trimStart().length;
      this.#lines.push({ indent, text: text.trimStart() });
    }
  }

  document(): unknown {
    if (this.#lines.length === 0) return null;
    const first = this.#lines[0]!;
    const value = this.#block(first.indent);
    if (this.#i < this.#lines.length) fail();
    return value;
  }

  #block(indent: number): unknown {
    const line = this.#lines[this.#i];
    if (!line || line.indent < indent) return null;
    if (isSeqItem(line.text)) return this.#sequence(line.indent);
    if (keySplit(line.text) === undefined) fail();
    return this.#mapping(line.indent);
  }

  #mapping(indent: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (;;) {
      const line = this.#lines[this.#i];
      if (!line || line.indent < indent) break;
      if (line.indent > indent || isSeqItem(line.text)) fail();
      const split = keySplit(line.text);
      if (!split) fail();
      const key = scalarKey(split.key);
      if (Object.hasOwn(out, key)) fail();
      this.#i++;
      if (split.rest === '') {
        const next = this.#lines[this.#i];
        if (next && next.indent > indent) out[key] = this.#block(next.indent);
        else if (next && next.indent === indent && isSeqItem(next.text)) out[key] = this.#sequence(indent);
        else out[key] = null;
      } else {
        out[key] = inlineValue(split.rest);
        const next = this.#lines[this.#i];
        if (next && next.indent > indent) fail(); // a multi-line plain scalar
      }
    }
    return out;
  }

  #sequence(indent: number): unknown[] {
    const out: unknown[] = [];
    for (;;) {
      const line = this.#lines[this.#i];
      if (!line || line.indent !== indent || !isSeqItem(line.text)) {
        if (line && line.indent > indent) fail();
        break;
      }
      const rest = line.text.slice(1).trimStart();
      if (rest === '') {
        this.#i++;
        const next = this.#lines[this.#i];
        out.push(next && next.indent > indent ? this.#block(next.indent) : null);
      } else if (isSeqItem(rest)) {
        fail();
      } else if (keySplit(rest) !== undefined) {
        // `- key: value` opens a mapping whose column is where `key` starts.
        const column = indent + (line.text.length - rest.length);
        this.#lines[this.#i] = { indent: column, text: rest };
        out.push(this.#mapping(column));
      } else {
        this.#i++;
        out.push(inlineValue(rest));
        const next = this.#lines[this.#i];
        if (next && next.indent > indent) fail();
      }
    }
    return out;
  }
}

function isSeqItem(text: string): boolean {
  return text === '-' || text.startsWith('- ');
}

/** Splits `key: rest` outside quotes; `undefined` when the line is not a mapping entry. */
function keySplit(text: string): { key: string; rest: string } | undefined {
  if (/^[[{]/.test(text)) return undefined;
  let i = 0;
  if (text[0] === '"' || text[0] === "'") {
    const q = text[0];
    for (i = 1; i < text.length; i++) {
      if (text[i] === '\\' && q === '"') i++;
      else if (text[i] === q) break;
    }
    i++;
    if (text[i] !== ':') return undefined;
  } else {
    for (; i < text.length; i++) {
      if (text[i] === ':' && (i + 1 === text.length || text[i + 1] === ' ')) break;
    }
    if (i >= text.length) return undefined;
  }
  if (!(i + 1 === text.length || text[i + 1] === ' ')) return undefined;
  return { key: text.slice(0, i).trim(), rest: text.slice(i + 1).trim() };
}

function scalarKey(raw: string): string {
  if (raw.startsWith('"') || raw.startsWith("'")) return quoted(raw);
  if (raw === '' || /^[?&*!|>%@`]/.test(raw)) fail();
  return raw;
}

function inlineValue(raw: string): unknown {
  if (raw.startsWith('[')) return flowSequence(raw);
  if (raw === '{}') return {};
  return scalar(raw);
}

function flowSequence(raw: string): unknown[] {
  if (!raw.endsWith(']')) fail();
  const inner = raw.slice(1, -1).trim();
  if (inner === '') return [];
  const items: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!;
    if (quote) {
      current += c;
      if (c === '\\' && quote === '"') current += inner[++i] ?? '';
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
      current += c;
    } else if (c === '[' || c === ']' || c === '{' || c === '}') fail();
    else if (c === ',') {
      items.push(current.trim());
      current = '';
    } else current += c;
  }
  if (quote) fail();
  if (current.trim() !== '') items.push(current.trim());
  return items.map((item) => {
    if (item === '' || keySplit(item) !== undefined) fail();
    return scalar(item);
  });
}

function quoted(raw: string): string {
  const q = raw[0]!;
  if (raw.length < 2 || raw[raw.length - 1] !== q) fail();
  const body = raw.slice(1, -1);
  if (q === "'") {
    if (/'(?!')/.test(body.replace(/''/g, ''))) fail();
    return body.replace(/''/g, "'");
  }
  if (/(^|[^\\])"/.test(body)) fail();
  try {
    // JSON strings cover the escapes of YAML double-quoted scalars that configs use.
    return JSON.parse(`"${body.replace(/\\\//g, '/')}"`) as string;
  } catch {
    fail();
  }
}

function scalar(raw: string): unknown {
  if (raw.startsWith('"') || raw.startsWith("'")) return quoted(raw);
  if (/^[&*!|>%@`{[\]}]/.test(raw) || raw.startsWith('? ') || raw.includes(': ') || raw.includes(' #'))
    fail();
  if (/^(~|null|Null|NULL)$/.test(raw)) return null;
  if (/^(true|True|TRUE)$/.test(raw)) return true;
  if (/^(false|False|FALSE)$/.test(raw)) return false;
  if (/^[-+]?[0-9]+$/.test(raw)) {
    const n = Number(raw);
    return Number.isSafeInteger(n) ? n : fail();
  }
  if (/^0o[0-7]+$/.test(raw)) return Number.parseInt(raw.slice(2), 8);
  if (/^0x[0-9a-fA-F]+$/.test(raw)) return Number.parseInt(raw.slice(2), 16);
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(raw)) return Number(raw);
  if (/^[-+]?\.(inf|Inf|INF)$/.test(raw)) return raw.startsWith('-') ? -Infinity : Infinity;
  if (/^\.(nan|NaN|NAN)$/.test(raw)) return Number.NaN;
  return raw;
}
