#!/usr/bin/env node
/**
 * The cluster spec's JSON Schema and its reference page, both generated from the schema object in
 * packages/provision/src/spec-schema.ts (compiled: run `npx tsc -b` first).
 *
 *   node scripts/gen-provision-spec.mjs          write schemas/cluster-spec.schema.json, docs/provision-spec.md
 *   node scripts/gen-provision-spec.mjs --check  exit 1 when either is out of date (for CI)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const compiled = join(root, 'packages/provision/dist/src/spec-schema.js');
if (!existsSync(compiled)) {
  console.error('gen-provision-spec: packages/provision is not built; run `npx tsc -b` first');
  process.exit(1);
}
const { clusterSpecSchema: schema } = await import(pathToFileURL(compiled).href);

const biome = join(root, 'node_modules/.bin/biome');
const schemaFile = join(root, 'schemas/cluster-spec.schema.json');
// Written the way Biome formats them, so `biome check` stays clean on generated output.
const formatted = (file, text) =>
  execFileSync(biome, ['format', `--stdin-file-path=${file}`], { input: text, encoding: 'utf8' });
const schemaText = formatted(schemaFile, `${JSON.stringify(schema, null, 2)}\n`);
const docFile = join(root, 'docs/provision-spec.md');

function typeOf(node) {
  if (node.enum) return node.enum.map((v) => `\`${JSON.stringify(v)}\``).join(' \\| ');
  if (node.type === 'array')
    return `list of ${node.items?.type === 'object' ? 'objects' : typeOf(node.items ?? {})}`;
  if (Array.isArray(node.type)) return node.type.join(' \\| ');
  if (node.type === 'object' && node.additionalProperties && typeof node.additionalProperties === 'object') {
    return `map of ${typeOf(node.additionalProperties)}`;
  }
  return node.type ?? 'any';
}

function limits(node) {
  const out = [];
  if (node.minimum !== undefined) out.push(`≥ ${node.minimum}`);
  if (node.maximum !== undefined) out.push(`≤ ${node.maximum}`);
  if (node.minItems !== undefined) out.push(`at least ${node.minItems}`);
  if (node.maxItems !== undefined) out.push(`at most ${node.maxItems}`);
  if (node.pattern) out.push(`pattern \`${node.pattern.replace(/\|/g, '\\|')}\``);
  return out.join(', ');
}

const rows = [];
function walk(node, path, required) {
  if (path) {
    const desc = (node.description ?? '').replace(/\|/g, '\\|');
    const def = node.default === undefined ? '' : `\`${JSON.stringify(node.default)}\``;
    rows.push(
      `| \`${path}\` | ${typeOf(node)}${required ? ' (required)' : ''} | ${def} | ${[desc, limits(node)].filter(Boolean).join(' ')} |`,
    );
  }
  const obj = node.type === 'array' ? node.items : node;
  if (obj?.type === 'object' && obj.properties) {
    const prefix = node.type === 'array' ? `${path}[]` : path;
    for (const [key, child] of Object.entries(obj.properties)) {
      walk(child, prefix ? `${prefix}.${key}` : key, (obj.required ?? []).includes(key));
    }
  }
}
walk(schema, '', false);

const doc = `<!-- GENERATED FILE, DO NOT EDIT. Source: packages/provision/src/spec-schema.ts; regenerate with \`node scripts/gen-provision-spec.mjs\`. -->
# Cluster spec reference

${schema.description}

A spec is YAML (or JSON) validated against [\`schemas/cluster-spec.schema.json\`](../schemas/cluster-spec.schema.json);
\`patroni-kit provision plan|apply|status SPEC\` reads it. Relative paths are relative to the spec file.
Every problem is reported with its field, e.g. \`nodes[1].address: has the wrong form: IPv4 address ...\`.
Passwords are never part of the spec: they are generated into \`SPEC.secrets.json\` (mode 0600) on first use.

| field | type | default | meaning |
| --- | --- | --- | --- |
${rows.join('\n')}
`;

const outputs = [
  [schemaFile, schemaText],
  [docFile, formatted(docFile, doc)],
];
let stale = 0;
for (const [file, content] of outputs) {
  const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  if (current === content) continue;
  if (check) {
    console.error(`${file.slice(root.length + 1)} is stale: run node scripts/gen-provision-spec.mjs`);
    stale++;
  } else writeFileSync(file, content);
}
if (check && stale) process.exit(1);
console.log(`gen-provision-spec: ${check ? 'up to date' : 'written'} (${rows.length} fields)`);
