/** Rule group 'input': Input and YAML: reported by the parser (parse.ts) and lint.ts before any rule runs. */
import { defineRule } from './rule.js';

/** The rules of group 'input'. */
export const rules = [
  defineRule({
    id: 'input-binary',
    group: 'input',
    severity: 'error',
    source: 'parser',
    docs: {
      title: 'The file is binary or not UTF-8.',
      why: 'Patroni would fail to load it with a decoding traceback.',
      fix: 'Point the linter (and Patroni) at the real YAML file; re-save it as UTF-8.',
      example: '(a gzip file, a PNG, a file with NUL bytes)',
    },
  }),
  defineRule({
    id: 'input-too-large',
    group: 'input',
    severity: 'error',
    source: 'parser',
    docs: {
      title: 'The input is larger than the accepted limit (256 KiB by default).',
      why: 'A Patroni configuration is a few kB; a huge file is the wrong file or hostile input.',
      fix: 'Check the file name. The limit can be raised with the `maxBytes` option of the library.',
      example: '(a 50 MB log file passed by mistake)',
    },
  }),
  defineRule({
    id: 'input-unreadable',
    group: 'input',
    severity: 'error',
    source: 'parser',
    docs: {
      title: 'The file does not exist, is a directory, or cannot be read.',
      why: 'Patroni given a wrong path silently falls back to the environment-only configuration.',
      fix: 'Check the path and the permissions.',
      example: '(patroni-kit lint /etc/patroni/patorni.yml)',
    },
  }),
  defineRule({
    id: 'yaml-syntax',
    group: 'input',
    severity: 'error',
    source: 'parser',
    docs: {
      title: 'The YAML cannot be parsed.',
      why: 'Patroni exits at start-up with a PyYAML traceback.',
      fix: 'Fix the syntax at the reported position (indentation, unclosed quotes or brackets, tabs).',
      example: 'postgresql:\n  listen: "*:5432\n',
    },
  }),
  defineRule({
    id: 'yaml-duplicate-key',
    group: 'input',
    severity: 'error',
    autofix: true,
    source: 'parser',
    docs: {
      title: 'A key appears twice in the same mapping.',
      why: 'PyYAML keeps the last value without a warning; the earlier setting is silently lost.',
      fix: 'Keep one of them. `--fix` removes the earlier one (the one Patroni ignores).',
      example: 'postgresql:\n  use_pg_rewind: true\n  use_pg_rewind: false\n',
    },
  }),
  defineRule({
    id: 'yaml-alias-limit',
    group: 'input',
    severity: 'error',
    source: 'parser',
    docs: {
      title: 'The file expands YAML aliases excessively (alias bomb).',
      why: 'Expanding it would take huge memory and time.',
      fix: 'Replace the aliases (`*name`) by plain values.',
      example: 'a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: &c [*b, *b, *b]\n# ...',
    },
  }),
  defineRule({
    id: 'yaml-too-deep',
    group: 'input',
    severity: 'error',
    source: 'parser',
    docs: {
      title: 'Mappings or lists nested more than 64 levels deep.',
      why: 'No Patroni setting is that deep; the file is corrupt or hostile.',
      fix: 'Flatten the structure.',
      example: 'a: [[[[[[[[ ... ]]]]]]]]',
    },
  }),
  defineRule({
    id: 'not-a-mapping',
    group: 'input',
    severity: 'error',
    source: 'parser',
    docs: {
      title: 'The document is empty or not a mapping.',
      why: 'Patroni requires a mapping at the top (4.0.5+: "does not contain a dict").',
      fix: 'Write `key: value` settings at the top level.',
      example: '- name: pg1\n',
    },
  }),
] as const;
