/** The one YAML reader (`@patroni-kit/config/yaml`): PyYAML's YAML 1.1 for files and PATRONI_* values alike. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { envOverlay } from '@patroni-kit/config';
import { readYaml } from '@patroni-kit/config/yaml';

describe('readYaml', () => {
  it('reads as PyYAML: yes/on/off booleans, 0755 octal, y and n strings, the last duplicate key', () => {
    assert.deepEqual(readYaml('a: yes\nb: Off\nc: 0755\nd: y\ne: n\nf: 1_000\ng: dup\ng: last\n', 'x.yml'), {
      a: true,
      b: false,
      c: 493,
      d: 'y',
      e: 'n',
      f: 1000,
      g: 'last',
    });
  });

  it('refuses what Patroni could not load, naming the place', () => {
    assert.throws(() => readYaml('a: [1\n', 'broken.yml'), {
      code: 'CONFIG',
      message: /^broken\.yml:\d+:\d+: /,
    });
    assert.throws(() => readYaml(`a: ${'['.repeat(100)}${']'.repeat(100)}\n`, 'deep.yml'), {
      code: 'CONFIG',
      message: /^deep\.yml:1:1: .*nested more than 64 levels/,
    });
  });

  it('PATRONI_* list and map values are read by the same reader', () => {
    const { overlay } = envOverlay(
      { PATRONI_LOG_LOGGERS: 'patroni.x: DEBUG, a: y, b: on, m: 0755' },
      new Set(),
    );
    assert.deepEqual(overlay, { log: { loggers: { 'patroni.x': 'DEBUG', a: 'y', b: true, m: 493 } } });
  });
});
