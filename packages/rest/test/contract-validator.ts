/**
 * Validates real HTTP exchanges against schemas/patroni-rest.openapi.yaml (via its generated JSON copy):
 * the status must be documented for the path and method, the media type too, and the body must match the
 * schema. Object schemas without an explicit `additionalProperties` are made closed here, so a field Patroni
 * sends that the document does not know fails the test (the document itself stays open for newer versions).
 */
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { Agent, type Dispatcher } from 'undici';

/** One HTTP exchange as seen on the wire. */
export interface Recorded {
  method: string;
  path: string;
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

type Json = Record<string, unknown>;

const documentUrl = new URL('../../src/generated/patroni-rest.openapi.json', import.meta.url);

/** Loads the document and checks exchanges against it. */
export class ContractValidator {
  readonly document: Json;
  readonly #ajv: Ajv2020;
  readonly #compiled = new Map<string, ValidateFunction>();
  /** `METHOD path status` of every validated exchange (for coverage reports). */
  readonly covered = new Set<string>();

  constructor() {
    this.document = JSON.parse(readFileSync(documentUrl, 'utf8')) as Json;
    const strict = closeObjects(structuredClone(this.document));
    this.#ajv = new Ajv2020({ strict: false, allErrors: true });
    this.#ajv.addSchema(strict, 'doc');
  }

  /** Every `METHOD path` in the document. */
  operations(): string[] {
    const out: string[] = [];
    for (const [path, item] of Object.entries(this.document.paths as Json)) {
      for (const method of ['get', 'head', 'options', 'post', 'put', 'patch', 'delete']) {
        if ((item as Json)[method]) out.push(`${method.toUpperCase()} ${path}`);
      }
    }
    return out;
  }

  /** Throws an Error listing every way `exchange` departs from the document. */
  check(exchange: Recorded): void {
    const problems = this.problems(exchange);
    if (problems.length > 0) {
      const body = exchange.body.toString('utf8').slice(0, 600);
      throw new Error(
        `${exchange.method} ${exchange.path} → ${exchange.status} departs from the OpenAPI document:\n  - ${problems.join('\n  - ')}\n  body: ${body}`,
      );
    }
  }

  /** The reasons `exchange` does not match the document (empty when it does). */
  problems(exchange: Recorded): string[] {
    const path = routePath(exchange.path);
    const method = exchange.method.toLowerCase();
    const item = (this.document.paths as Json)[path] as Json | undefined;
    if (!item) return [`path ${path} is not in the document`];
    const operation = item[method] as Json | undefined;
    if (!operation) return [`${exchange.method} ${path} is not in the document`];
    const responses = operation.responses as Json;
    let response = responses[String(exchange.status)] as Json | undefined;
    if (!response) return [`status ${exchange.status} is not documented for ${exchange.method} ${path}`];
    let pointer = `#/paths/${escapePointer(path)}/${method}/responses/${exchange.status}`;
    if (typeof response.$ref === 'string') {
      pointer = response.$ref;
      response = this.resolve(response.$ref);
    }
    this.covered.add(`${exchange.method} ${path} ${exchange.status}`);
    const problems: string[] = [];
    const content = response.content as Json | undefined;
    const text = exchange.body.toString('utf8');
    const mediaType = String(exchange.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim();
    if (!content) {
      if (exchange.body.length > 0)
        problems.push(`a bare status line was documented, got a ${exchange.body.length}-byte body`);
      if (
        Object.keys(exchange.headers).length > 0 &&
        exchange.method !== 'HEAD' &&
        !('content-type' in exchange.headers)
      ) {
        // Bare status lines carry no headers at all; anything else is worth knowing about.
        problems.push(
          `a bare status line was documented, got headers ${Object.keys(exchange.headers).join(', ')}`,
        );
      }
    } else {
      if (!(mediaType in content)) {
        problems.push(
          `media type ${mediaType || '(none)'} is not documented (documented: ${Object.keys(content).join(', ')})`,
        );
      } else {
        let value: unknown = text;
        if (mediaType === 'application/json') {
          try {
            value = JSON.parse(text);
          } catch (error) {
            problems.push(`malformed JSON: ${(error as Error).message}`);
          }
        }
        const validate = this.#validator(`${pointer}/content/${escapePointer(mediaType)}/schema`);
        if (problems.length === 0 && !validate(value)) {
          for (const e of validate.errors ?? [])
            problems.push(`${e.instancePath || '(body)'} ${e.message} ${JSON.stringify(e.params)}`);
        }
      }
    }
    const headers = (response.headers ?? {}) as Json;
    for (const name of Object.keys(headers)) {
      const spec = (
        typeof (headers[name] as Json).$ref === 'string'
          ? this.resolve((headers[name] as Json).$ref as string)
          : headers[name]
      ) as Json;
      const actual = exchange.headers[name.toLowerCase()];
      if (actual === undefined) {
        if (spec.required === true || name === 'WWW-Authenticate') problems.push(`header ${name} is missing`);
        continue;
      }
      const validate = this.#ajv.compile(spec.schema as object);
      if (!validate(actual))
        problems.push(
          `header ${name}: ${JSON.stringify(actual)} does not match ${JSON.stringify(spec.schema)}`,
        );
    }
    return problems;
  }

  /** Validate `value` against a component schema by name (e.g. `ClusterStatus`). */
  checkSchema(name: string, value: unknown): void {
    const validate = this.#validator(`#/components/schemas/${name}`);
    if (!validate(value)) {
      throw new Error(
        `value does not match ${name}: ${JSON.stringify(validate.errors)}\n${JSON.stringify(value).slice(0, 600)}`,
      );
    }
  }

  #validator(pointer: string): ValidateFunction {
    let validate = this.#compiled.get(pointer);
    if (!validate) {
      validate = this.#ajv.compile({ $ref: `doc${pointer}` });
      this.#compiled.set(pointer, validate);
    }
    return validate;
  }

  private resolve(ref: string): Json {
    let node: unknown = this.document;
    for (const part of ref.replace(/^#\//, '').split('/')) {
      node = (node as Json)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    }
    return node as Json;
  }
}

/** The document path Patroni routes a request path to (first segment; health checks by exact path). */
export function routePath(requestPath: string): string {
  const path = requestPath.split('?')[0]!;
  return path;
}

function escapePointer(part: string): string {
  return part.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Marks object schemas with `properties` and no `additionalProperties` as closed. */
function closeObjects(node: unknown): Json {
  if (Array.isArray(node)) {
    for (const item of node) closeObjects(item);
  } else if (node !== null && typeof node === 'object') {
    const object = node as Json;
    if (
      object.properties !== undefined &&
      typeof object.properties === 'object' &&
      object.additionalProperties === undefined &&
      object.type === 'object'
    ) {
      object.additionalProperties = false;
    }
    for (const value of Object.values(object)) closeObjects(value);
  }
  return node as Json;
}

/** An undici Agent that records every exchange a client makes through it. */
export function recordingAgent(log: Recorded[], options: { localAddress?: string } = {}): Dispatcher {
  const interceptor: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (options, handler) => {
    let status = 0;
    let headers: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    const wrapped: Dispatcher.DispatchHandler = {
      onRequestStart: (controller, context) => handler.onRequestStart?.(controller, context),
      onResponseStart: (controller, statusCode, responseHeaders, statusMessage) => {
        status = statusCode;
        headers = responseHeaders;
        handler.onResponseStart?.(controller, statusCode, responseHeaders, statusMessage);
      },
      onResponseData: (controller, chunk) => {
        chunks.push(chunk);
        handler.onResponseData?.(controller, chunk);
      },
      onResponseEnd: (controller, trailers) => {
        log.push({
          method: options.method,
          path: options.path,
          status,
          headers,
          body: Buffer.concat(chunks),
        });
        handler.onResponseEnd?.(controller, trailers);
      },
      onResponseError: (controller, error) => handler.onResponseError?.(controller, error),
    };
    return dispatch(options, wrapped);
  };
  return new Agent({
    connections: 8,
    connect: { timeout: 3000 },
    ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
  }).compose(interceptor);
}
