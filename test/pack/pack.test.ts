/**
 * What a newcomer and a user of the published packages get: `npx patroni-kit` in this checkout after
 * `npm ci` + `npm run build` (the README's commands), and every package installed from its `npm pack`
 * tarball into a fresh project, type-checked there under `module: nodenext` and loaded by Node.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
// Every workspace package (a package added later is packed and installed too).
// The SDK packages under packages/ only: the extension is a private workspace shipped as a .vsix.
const packageDirs = readdirSync(join(root, 'packages')).filter((d) =>
  existsSync(join(root, 'packages', d, 'package.json')),
);
const packages = packageDirs
  .map(
    (d) =>
      (JSON.parse(readFileSync(join(root, 'packages', d, 'package.json'), 'utf8')) as { name: string }).name,
  )
  .sort();

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion (bounded); npm's own chatter stays out of the way. */
function run(file: string, args: string[], cwd: string, timeoutMs = 180_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      {
        cwd,
        timeout: timeoutMs,
        maxBuffer: 32 << 20,
        env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false' },
      },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

const ok = (r: Run, what: string) => assert.equal(r.code, 0, `${what} failed:\n${r.stdout}\n${r.stderr}`);

describe('newcomer: npx patroni-kit in the checkout', () => {
  test('node_modules/.bin/patroni-kit is the committed shim and runs the built CLI', async () => {
    // npm ci links the bin only when its target exists at install time: a committed file, not dist/.
    assert.equal(
      realpathSync(join(root, 'node_modules/.bin/patroni-kit')),
      join(root, 'packages/cli/bin/patroni-kit'),
    );
    const version = await run('npx', ['--no', '--', 'patroni-kit', '--version'], root);
    ok(version, 'npx patroni-kit --version');
    assert.equal(version.stdout, 'patroni-kit 0.1.0\n');
    const help = await run('npx', ['--no', '--', 'patroni-kit', 'list', '--help'], root);
    ok(help, 'npx patroni-kit list --help');
    assert.match(help.stdout, /^Usage: patroni-kit list/);
  });
});

describe('npm pack: the packages install from their tarballs into a fresh project', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pk-pack-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('tarballs hold the built code, install, type-check under nodenext and load', async () => {
    const tars = join(dir, 'tarballs');
    mkdirSync(tars);
    const packed = await run(
      'npm',
      [
        'pack',
        ...packageDirs.flatMap((d) => ['--workspace', `packages/${d}`]),
        '--pack-destination',
        tars,
        '--json',
        '--loglevel=error',
      ],
      root,
    );
    ok(packed, 'npm pack');
    const listing = JSON.parse(packed.stdout) as Array<{
      name: string;
      filename: string;
      files: Array<{ path: string }>;
    }>;
    assert.deepEqual(listing.map((p) => p.name).sort(), packages);
    for (const p of listing) {
      const files = p.files.map((f) => f.path);
      assert.ok(files.includes('dist/src/index.js') && files.includes('dist/src/index.d.ts'), p.name);
      assert.ok(files.includes('README.md'), `${p.name} has no README`);
      assert.ok(!files.some((f) => f.startsWith('dist/test/') || f.endsWith('.tsbuildinfo')), p.name);
    }
    const cli = listing.find((p) => p.name === '@patroni-kit/cli')!.files.map((f) => f.path);
    assert.ok(
      cli.includes('bin/patroni-kit') &&
        cli.includes('bin/patroni-kit.mjs') &&
        cli.includes('dist/bundle/patroni-kit.mjs'),
    );

    // A fresh project: only the tarballs, plus the registry (or npm's cache) for third-party packages.
    const project = join(dir, 'project');
    const typesNode = (
      JSON.parse(readFileSync(join(root, 'node_modules/@types/node/package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), '{ "name": "fresh", "private": true, "type": "module" }\n');
    const installed = await run(
      'npm',
      [
        'install',
        '--prefer-offline',
        // Nothing of ours has install scripts; a dependency's native build (optional) only costs time.
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        ...listing.map((p) => join(tars, p.filename)),
        `@types/node@${typesNode}`,
      ],
      project,
      300_000,
    );
    ok(installed, 'npm install of the tarballs');

    writeFileSync(
      join(project, 'tsconfig.json'),
      `${JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          strict: true,
          noEmit: true,
          types: ['node'],
          skipLibCheck: false,
        },
        files: ['index.ts'],
      })}\n`,
    );
    writeFileSync(
      join(project, 'index.ts'),
      `import { main } from '@patroni-kit/cli';
import { Cluster, type ClusterView } from '@patroni-kit/cluster';
import { lintText } from '@patroni-kit/config';
import { DcsClient } from '@patroni-kit/dcs';
import { buildClusterState } from '@patroni-kit/dcs/decode';
import { PatroniKitError } from '@patroni-kit/errors';
import { Lab } from '@patroni-kit/lab';
import { PatroniClient } from '@patroni-kit/rest';

export async function memberNames(configFile: string): Promise<string[]> {
  const cluster = await Cluster.connect({ configFile });
  try {
    const view: ClusterView = await cluster.list();
    return view.members.map((m) => m.name);
  } finally {
    await cluster.close();
  }
}
// The types are real, not \`any\`: a wrong option is an error (and an unused expect-error would be one).
// @ts-expect-error configFile is a string
await Cluster.connect({ configFile: 42 });
export const exported = [main, lintText, DcsClient, buildClusterState, PatroniKitError, Lab, PatroniClient];
`,
    );
    const tsc = await run(
      process.execPath,
      [join(root, 'node_modules/typescript/bin/tsc'), '-p', '.'],
      project,
    );
    ok(tsc, 'tsc under module: nodenext');

    const loaded = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `for (const p of ${JSON.stringify([...packages, ...['dcs/decode', 'dcs/keys', 'dcs/ctlconfig', 'config/yaml'].map((p) => `@patroni-kit/${p}`)])}) await import(p); console.log('loaded');`,
      ],
      project,
    );
    ok(loaded, 'importing every package');
    assert.equal(loaded.stdout, 'loaded\n');

    // The installed command is the bundle: every command module loads (help lists their summaries), and the
    // linter's chunk (ajv, yaml) works without the checkout.
    const help = await run('npx', ['--no', '--', 'patroni-kit', 'help'], project);
    ok(help, 'patroni-kit help');
    assert.match(help.stdout, /switchover\s+switch the leader over/);
    copyFileSync(join(root, 'test/corpus/config/examples/broken.yml'), join(project, 'broken.yml'));
    const lint = await run('npx', ['--no', '--', 'patroni-kit', 'lint', 'broken.yml'], project);
    assert.equal(lint.code, 1, `lint of a broken file exits 1:\n${lint.stdout}\n${lint.stderr}`);
    assert.match(lint.stdout, /^broken\.yml:\d+:\d+: error \[/m);
  });
});
