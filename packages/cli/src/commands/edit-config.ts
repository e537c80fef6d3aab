/** `patroni-kit edit-config`: change the dynamic configuration, show the diff, write with compare-and-set. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PatroniKitError } from '@patroni-kit/errors';
import { actionCommand, commonUsage, confirm } from '../cluster-args.js';

const usage = `Usage: patroni-kit edit-config [CLUSTER_NAME] [options]

Applies the changes to the DCS config key, prints a unified diff, asks, and writes with compare-and-set on
the revision it read: a concurrent change makes it fail ("Config modification aborted due to concurrent
changes"), never merge silently. The result is linted first (the rules of \`patroni-kit lint --dcs\`): a change
that introduces an error Patroni cannot use (e.g. ttl=abc) is refused with exit 1 and nothing is written; warnings
(e.g. loop_wait + 2*retry_timeout > ttl) are printed with the diff and need the usual confirmation. Without -s/-p/--apply/--replace it opens the configuration in $EDITOR
(then editor, then vi), like patronictl; that needs a terminal.

  -s, --set PATH=VALUE   set a value (dotted path; VALUE is YAML; null deletes), repeatable
  -p, --pg GUC=VALUE     set postgresql.parameters.GUC, repeatable
  --apply FILE|-         merge a YAML/JSON patch from a file or stdin
  --replace FILE|-       replace the whole configuration
  --dry-run              print the diff and the lint findings, write nothing
  --allow-invalid        write even when the result has lint errors
  -q, --quiet            do not print the diff
  --force                do not ask for confirmation
  --json                 print the result as JSON

${commonUsage}`;

const options = {
  set: { type: 'string', short: 's', multiple: true },
  pg: { type: 'string', short: 'p', multiple: true },
  apply: { type: 'string' },
  replace: { type: 'string' },
  'dry-run': { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  force: { type: 'boolean' },
  'allow-invalid': { type: 'boolean' },
} as const;

async function readDoc(source: string, what: string): Promise<Record<string, unknown>> {
  let text: Buffer;
  try {
    text = readFileSync(source === '-' ? 0 : source);
  } catch (err) {
    throw new PatroniKitError(
      'USAGE',
      `${what}: cannot read ${source === '-' ? 'stdin' : source}: ${(err as Error).message}`,
      { cause: err, hint: `give ${what} a readable YAML or JSON file, or - for stdin` },
    );
  }
  const { readYaml } = await import('@patroni-kit/config/yaml');
  // A syntax error names the file (and its hint lints that file), not the option.
  const doc = readYaml(text, source === '-' ? `${what} from stdin` : source);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new PatroniKitError('USAGE', `${what} must be a YAML or JSON mapping`);
  return doc as Record<string, unknown>;
}

/** Opens the current configuration as YAML in the user's editor and parses what was saved. */
async function editInEditor(view: {
  config?: Record<string, unknown>;
  configRevision?: string;
}): Promise<{ config: Record<string, unknown>; revision?: string }> {
  const YAML = await import('yaml');
  const dir = mkdtempSync(join(tmpdir(), 'patroni-kit-edit-'));
  const file = join(dir, 'config.yaml');
  try {
    writeFileSync(file, YAML.stringify(view.config ?? {}, { sortMapEntries: true }), { mode: 0o600 });
    const editor = process.env.VISUAL || process.env.EDITOR || (existsOnPath('editor') ? 'editor' : 'vi');
    const res = spawnSync(editor, [file], { stdio: 'inherit', shell: /\s/.test(editor) });
    if (res.error || res.status !== 0)
      throw new PatroniKitError(
        'USAGE',
        `the editor '${editor}' failed (${res.error?.message ?? `exit ${res.status}`})`,
        {
          hint: 'set $EDITOR, or give the change with --set/--pg/--apply',
        },
      );
    const { readYaml } = await import('@patroni-kit/config/yaml');
    const doc = readYaml(readFileSync(file), 'the edited configuration');
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
      throw new PatroniKitError('USAGE', 'the edited configuration is not a YAML mapping');
    return {
      config: doc as Record<string, unknown>,
      ...(view.configRevision ? { revision: view.configRevision } : {}),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function existsOnPath(name: string): boolean {
  return (process.env.PATH ?? '').split(':').some((d) => d !== '' && existsSync(join(d, name)));
}

export default actionCommand({
  name: 'edit-config',
  summary: 'change the dynamic configuration (diff, compare-and-set)',
  usage,
  options,
  scope: ({ values, positionals }) => {
    const interactive = !values.set && !values.pg && !values.apply && !values.replace;
    if (interactive && !process.stdin.isTTY)
      throw new PatroniKitError('USAGE', 'nothing to change, and no terminal to open an editor in', {
        hint: 'give --set, --pg, --apply or --replace, e.g. patroni-kit edit-config -s loop_wait=5 -p work_mem=8MB',
      });
    if ((values.apply === '-' || values.replace === '-') && !values.force)
      throw new PatroniKitError(
        'USAGE',
        'reading the change from stdin requires --force (stdin cannot also answer the prompt)',
      );
    return positionals[0];
  },
  // The diff is the confirmation: editConfig asks with it (below), so there is no question up front.
  act: async ({ cluster, values, io, progress }) => {
    const json = Boolean(values.json);
    const interactive = !values.set && !values.pg && !values.apply && !values.replace;
    const patch = values.apply ? await readDoc(values.apply, '--apply') : undefined;
    const replace = values.replace ? await readDoc(values.replace, '--replace') : undefined;
    let edited: { config: Record<string, unknown>; revision?: string } | undefined;
    if (interactive) edited = await editInEditor(await cluster.status({ signal: io.signal, live: false }));
    const result = await cluster.editConfig({
      ...(edited ? { replace: edited.config } : {}),
      ...(edited?.revision ? { baseRevision: edited.revision } : {}),
      ...(values.set ? { set: values.set } : {}),
      ...(values.pg ? { pg: values.pg } : {}),
      ...(patch ? { patch } : {}),
      ...(replace ? { replace } : {}),
      ...(values['dry-run'] ? { dryRun: true } : {}),
      ...(values['allow-invalid'] ? { allowInvalid: true } : {}),
      signal: io.signal,
      ...progress,
      confirm: async (diff) => {
        if (!values.quiet && !json) io.stdout.write(diff);
        return confirm('Apply these changes?', Boolean(values.force), io, 'edit the configuration');
      },
    });
    // A dry run shows the diff with its findings, a change lint refused (config-valid) its diff: once each.
    const diff = values.quiet || json ? undefined : result.details?.diff;
    if (diff && values['dry-run']) {
      io.stdout.write(diff);
      for (const f of result.details?.findings ?? [])
        io.stdout.write(`${f.severity}: ${f.path || '(top)'}: ${f.message} [${f.rule}]\n`);
    } else if (diff && result.check === 'config-valid') io.stdout.write(diff);
    return result;
  },
});
