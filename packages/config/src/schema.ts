/**
 * JSON Schema validation (ajv, compiled ahead of time by scripts/gen-config-schema.mjs), and a small resolver that answers "what does the schema say about
 * this config path" for the rules (since-versions, known keys, where a key belongs).
 */
import type { ErrorObject } from 'ajv';
import { patroniDcsSchema, patroniSchema } from './generated/schema.js';
import { validateDcs, validateLocal } from './generated/validate.js';

export { patroniDcsSchema, patroniSchema };

/** A JSON Schema node as we write them (draft-07 subset plus our annotations). */
export interface SchemaNode {
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: SchemaNode[];
  $ref?: string;
  description?: string;
  default?: unknown;
  deprecated?: boolean;
  deprecationMessage?: string;
  'x-patroni-since'?: string;
  'x-patroni-removed'?: string;
  'x-patroni-where'?: string;
  'x-patroni-env'?: string;
  definitions?: Record<string, SchemaNode>;
}

/** Runs the schema over `data`; returns ajv's raw errors (empty when valid). */
export function validateSchema(data: unknown, dynamic: boolean): ErrorObject[] {
  const v = dynamic ? validateDcs : validateLocal;
  v(data);
  return v.errors ? [...v.errors] : [];
}

function resolveRef(root: SchemaNode, node: SchemaNode): SchemaNode {
  if (node.$ref?.startsWith('#/definitions/')) {
    const def = root.definitions?.[node.$ref.slice('#/definitions/'.length)];
    if (def) return def;
  }
  return node;
}

/** The schema node describing `path` (numbers for list items), or undefined when the schema has none. */
export function schemaAt(path: readonly (string | number)[], dynamic = false): SchemaNode | undefined {
  const root = (dynamic ? patroniDcsSchema : patroniSchema) as SchemaNode;
  const defs = (patroniSchema as SchemaNode).definitions;
  let node: SchemaNode | undefined = root;
  for (const seg of path) {
    if (!node) return undefined;
    node = resolveRef({ definitions: defs ?? {} }, node);
    if (typeof seg === 'number') {
      node = node.items ?? node.anyOf?.find((a) => a.items)?.items;
      continue;
    }
    const prop: SchemaNode | undefined = node.properties?.[seg];
    if (prop) node = resolveRef({ definitions: defs ?? {} }, prop);
    else if (typeof node.additionalProperties === 'object') node = node.additionalProperties;
    else return undefined;
  }
  return node ? resolveRef({ definitions: defs ?? {} }, node) : undefined;
}

/** True when `key` is a declared property (not an additionalProperties catch-all) of the node at `parent`. */
export function isDeclaredKey(parent: readonly (string | number)[], key: string, dynamic = false): boolean {
  const node = schemaAt(parent, dynamic);
  return node?.properties?.[key] !== undefined;
}

/** The declared property names at `parent`. */
export function declaredKeys(parent: readonly (string | number)[], dynamic = false): string[] {
  return Object.keys(schemaAt(parent, dynamic)?.properties ?? {});
}

let keyIndex: Map<string, string[][]> | undefined;

/** Every declared key name, with all the paths where the schema declares it (local schema). */
export function knownKeyPaths(): Map<string, string[][]> {
  if (keyIndex) return keyIndex;
  const index = new Map<string, string[][]>();
  const root = patroniSchema as SchemaNode;
  const stack: Array<[SchemaNode, string[]]> = [[root, []]];
  while (stack.length > 0) {
    const [raw, path] = stack.pop()!;
    const node = resolveRef(root, raw);
    if (path.length > 6) continue;
    for (const [k, child] of Object.entries(node.properties ?? {})) {
      const p = [...path, k];
      const list = index.get(k) ?? [];
      list.push(p);
      index.set(k, list);
      stack.push([child, p]);
    }
  }
  keyIndex = index;
  return index;
}
