#!/usr/bin/env node
import { execFileSync } from 'node:child_process';
/**
 * Generates the Patroni JSON Schemas and the module that embeds them in @patroni-kit/config.
 *
 *   node scripts/gen-config-schema.mjs          write schemas/patroni.schema.json, schemas/patroni-dcs.schema.json
 *                                               and packages/config/src/generated/schema.ts
 *   node scripts/gen-config-schema.mjs --check  exit 1 when any of them is out of date (for CI)
 *
 * The schema is embedded as a TypeScript module (not read from disk at run time) so that the package
 * works unchanged when the VS Code extension bundles it.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDcsSchema, buildLocalSchema } from '../packages/config/schema-src/patroni-schema.mjs';

const require = createRequire(import.meta.url);
const { Ajv } = require('ajv');
const standaloneCode = require('ajv/dist/standalone').default;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');

const local = buildLocalSchema();
const dcs = buildDcsSchema();
// The JSON files are written the way Biome formats them, so `biome check` stays clean on generated output.
const biome = join(root, 'node_modules/.bin/biome');
const json = (value, file) =>
  execFileSync(biome, ['format', `--stdin-file-path=${file}`], {
    input: `${JSON.stringify(value, null, 2)}\n`,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });

const header = [
  '// GENERATED FILE, DO NOT EDIT.',
  '// Source: packages/config/schema-src/patroni-schema.mjs; regenerate with `node scripts/gen-config-schema.mjs`.',
  '',
].join('\n');
const ts = `${header}/** JSON Schema of patroni.yml (same content as schemas/patroni.schema.json). */
export const patroniSchema: Record<string, unknown> = ${JSON.stringify(local)};

/** JSON Schema of the dynamic configuration (same content as schemas/patroni-dcs.schema.json). */
export const patroniDcsSchema: Record<string, unknown> = ${JSON.stringify(dcs)};
`;

// Validation needs no hover text: strip annotations so the generated validator stays small.
const ANNOTATIONS = new Set([
  'description',
  'markdownDescription',
  'examples',
  'default',
  'deprecationMessage',
  'deprecated',
  'title',
]);
function strip(node) {
  if (Array.isArray(node)) return node.map(strip);
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (ANNOTATIONS.has(k) || k.startsWith('x-patroni-')) continue;
    // inside "properties"/"definitions" the keys are names, not keywords
    out[k] =
      k === 'properties' || k === 'definitions'
        ? Object.fromEntries(Object.entries(v).map(([n, s]) => [n, strip(s)]))
        : strip(v);
  }
  return out;
}
const ajv = new Ajv({
  allErrors: true,
  strict: true,
  allowUnionTypes: true,
  strictRequired: false,
  messages: false,
  code: { source: true, esm: true, optimize: true },
});
ajv.addSchema(strip(local), 'local');
// the DCS schema is the local schema's dynamic definition: reference it so the code is generated once
ajv.addSchema({ $ref: `${local.$id}#/definitions/dynamic` }, 'dcs');
let code = standaloneCode(ajv, { validateLocal: 'local', validateDcs: 'dcs' });
const runtimes = new Map();
code = code.replace(/require\("(ajv\/dist\/runtime\/[a-z0-9]+)"\)/g, (_, mod) => {
  const name = `__${mod.split('/').pop()}`;
  runtimes.set(name, `${mod}.js`);
  return name;
});
const imports = [...runtimes].map(([name, mod]) => `import ${name} from '${mod}';`).join('\n');
const validatorTs = `${header}// @ts-nocheck -- ajv standalone output (schemas/patroni*.schema.json without annotations)
${imports}
${code.replace(/^"use strict";/, '').replace(/export const (validateLocal|validateDcs) = /g, 'const __$1 = ')}
/** A compiled ajv validator: returns true when valid, else sets \`errors\`. */
export type CompiledValidator = ((data: unknown) => boolean) & { errors?: import('ajv').ErrorObject[] | null };
/** Validates patroni.yml content. */
export const validateLocal: CompiledValidator = __validateLocal;
/** Validates the dynamic configuration. */
export const validateDcs: CompiledValidator = __validateDcs;
`;

const outputs = [
  [join(root, 'schemas/patroni.schema.json'), json(local, 'schemas/patroni.schema.json')],
  [join(root, 'schemas/patroni-dcs.schema.json'), json(dcs, 'schemas/patroni-dcs.schema.json')],
  [join(root, 'packages/config/src/generated/schema.ts'), ts],
  [join(root, 'packages/config/src/generated/validate.ts'), validatorTs],
];

let stale = 0;
for (const [file, content] of outputs) {
  let current = null;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    current = null;
  }
  if (current === content) continue;
  if (check) {
    console.error(`${relative(root, file)} is out of date; run node scripts/gen-config-schema.mjs`);
    stale++;
  } else {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
    console.log(`wrote ${relative(root, file)}`);
  }
}
process.exitCode = stale > 0 ? 1 : 0;
