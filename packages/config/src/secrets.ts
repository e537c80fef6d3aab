/**
 * Secrets written in a file being linted (passwords, URL credentials), so that no finding quotes them: every
 * message, path and fix description goes through {@link redactFindings} before it leaves the linter.
 */
import { redactKnown } from '@patroni-kit/errors';
import { isCollection, isPair, isScalar, visit } from 'yaml';
import type { ParsedConfig } from './parse.js';
import type { Finding } from './types.js';

const SECRET_KEY = /pass(word|wd|phrase)?$|secret|token|keyfile_password|^key$/i;

/** The password of a `scheme://user:password@host` URL (the userinfo ends at the last `@`). */
function urlPasswords(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/[a-z][a-z0-9+.-]*:\/\/([^\n]*)@/gi)) {
    const userinfo = m[1] ?? '';
    const colon = userinfo.indexOf(':');
    if (colon < 0) continue;
    const pw = userinfo.slice(colon + 1);
    out.push(pw);
    try {
      out.push(decodeURIComponent(pw));
    } catch {}
    // Every candidate split at an inner `@` too: in a list of URLs the first one ends earlier.
    for (let at = pw.indexOf('@'); at >= 0; at = pw.indexOf('@', at + 1)) out.push(pw.slice(0, at));
  }
  return out;
}

/** Every secret value in the parsed file and in the PATRONI_* environment given to the linter. */
export function collectSecrets(parsed: ParsedConfig, env?: Record<string, string | undefined>): Set<string> {
  const secrets = new Set<string>();
  const add = (v: unknown) => {
    if (typeof v === 'string' && v !== '') secrets.add(v);
    else if (typeof v === 'number' || typeof v === 'boolean') secrets.add(String(v));
  };
  if (parsed.doc) {
    visit(parsed.doc, {
      Pair(_key, pair) {
        if (!isPair(pair)) return;
        const k = isScalar(pair.key) ? String(pair.key.value) : '';
        if (SECRET_KEY.test(k)) {
          if (isScalar(pair.value)) {
            add(pair.value.value);
            if (typeof pair.value.source === 'string') add(pair.value.source);
          } else if (isCollection(pair.value)) add(String(pair.value));
        }
      },
      Scalar(_key, node) {
        const v =
          typeof node.value === 'string' ? node.value : typeof node.source === 'string' ? node.source : '';
        if (v.includes('@') && v.includes('://')) for (const pw of urlPasswords(v)) add(pw);
      },
    });
  } else if (parsed.text.includes('://')) {
    for (const pw of urlPasswords(parsed.text)) add(pw);
  }
  for (const [name, value] of Object.entries(env ?? {})) {
    if (value === undefined) continue;
    if (/PASSWORD|PASSWD|SECRET|TOKEN/i.test(name)) add(value);
    if (value.includes('://')) for (const pw of urlPasswords(value)) add(pw);
  }
  return secrets;
}

/** Findings with every secret in `secrets` (and every URL password) replaced by `***`. */
export function redactFindings(findings: Finding[], secrets: ReadonlySet<string>): Finding[] {
  const clean = (text: string) => redactKnown(text, secrets);
  return findings.map((f) => {
    const out: Finding = { ...f, message: clean(f.message), path: clean(f.path) };
    if (f.fix) out.fix = { ...f.fix, description: clean(f.fix.description) };
    return out;
  });
}

/** A config value as a message quotes it: text as is, a mapping or list as (short) YAML-ish JSON, never "[object Object]". */
export function shownValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v !== 'object' || v === null) return String(v);
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    text = Array.isArray(v) ? '[…]' : '{…}';
  }
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
