#!/usr/bin/env node
// The `patroni-kit` command as an esbuild bundle (part of `npm run build`, after `tsc -b`): start-up time is
// what a CLI user waits for, and resolving and compiling ~30 separate modules cost more than `list` spends
// on the network. The bundle is ESM with code splitting, so each command still loads only its own code
// (`list` loads neither etcd3/grpc nor undici nor the linter): dist/bundle/patroni-kit.mjs plus chunks/.
// `list`, the command scripts run most, also gets dist/bundle/list.mjs: the same code as one file, because
// loading a dozen chunks costs Node's module loader ~15 ms of CPU more than one module (bin/patroni-kit.mjs
// picks it for `list`).
//
//   node scripts/bundle-cli.mjs            build packages/cli/dist/bundle from packages/cli/dist/src
//   node scripts/bundle-cli.mjs --quiet    without the summary line
import { rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { etcd3ProtoPlugin } from '../packages/dcs/dist/src/esbuild.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'packages/cli');
const outdir = join(cli, 'dist/bundle');
const quiet = process.argv.includes('--quiet');

const common = {
  absWorkingDir: root,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // .mjs: Node knows each file is ESM without looking for the package.json that says so.
  outExtension: { '.js': '.mjs' },
  // CommonJS dependencies (grpc-js, pg, ...) call `require` for Node's built-ins; ESM has none of its own.
  banner: {
    js: "import { createRequire as __pkCreateRequire } from 'node:module'; const require = __pkCreateRequire(import.meta.url);",
  },
  // Native addons cannot be inlined: they load from node_modules when `provision` or `drill` runs.
  external: ['ssh2', '@resvg/resvg-js'],
  metafile: true,
  logLevel: 'warning',
};

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  ...common,
  entryPoints: { 'patroni-kit': join(cli, 'dist/src/main.js') },
  outdir,
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  // etcd3 reads its .proto files from disk next to itself; the plugin inlines them.
  plugins: [etcd3ProtoPlugin()],
});

// list.mjs: `main` with the list command and the cluster facade inlined. Every other lazy import points at
// the split build's chunk for the same module, so that a path `list` never takes (an action's REST client,
// another command) still loads, from those chunks.
const chunkOf = new Map(
  Object.entries(result.metafile.outputs)
    .filter(([, o]) => o.entryPoint)
    .map(([file, o]) => [o.entryPoint, `./${relative(outdir, join(root, file))}`]),
);
const listBuild = await build({
  ...common,
  entryPoints: { list: join(cli, 'dist/src/main.js') },
  outdir,
  plugins: [
    {
      name: 'patroni-kit-list-only',
      setup(b) {
        b.onResolve({ filter: /.*/ }, async (args) => {
          if (args.kind !== 'dynamic-import' || args.pluginData === 'resolving') return undefined;
          if (/^node:/.test(args.path)) return { path: args.path, external: true };
          if (/\/commands\/list\.js$|^@patroni-kit\/cluster$/.test(args.path)) return undefined;
          const found = await b.resolve(args.path, {
            kind: args.kind,
            resolveDir: args.resolveDir,
            pluginData: 'resolving',
          });
          const chunk = chunkOf.get(relative(root, found.path));
          if (!chunk) throw new Error(`bundle-cli: no chunk of the split build for ${args.path}`);
          return { path: chunk, external: true };
        });
      },
    },
  ],
});

// What `patroni-kit list` loads (the entry, the list command and their static imports) must stay free of the
// heavy libraries: they are for the commands that need them.
const outputs = result.metafile.outputs;
const entry = relative(root, join(outdir, 'patroni-kit.mjs'));
const listChunk = Object.keys(outputs).find((f) =>
  outputs[f].entryPoint?.endsWith('cli/dist/src/commands/list.js'),
);
const listFile = relative(root, join(outdir, 'list.mjs'));
if (!outputs[entry] || !listChunk || !listBuild.metafile.outputs[listFile]) {
  console.error('bundle-cli: the entry or the list command is missing from the bundle');
  process.exit(1);
}
const eager = new Set();
const stack = [entry, listChunk];
while (stack.length > 0) {
  const file = stack.pop();
  if (eager.has(file)) continue;
  eager.add(file);
  for (const imp of outputs[file].imports)
    if (imp.kind === 'import-statement' && !imp.external) stack.push(imp.path);
}
const heavy = /node_modules\/(etcd3|@grpc|protobufjs|undici|ajv|pg)\//;
const loadedByList = [
  ...[...eager].map((f) => [f, outputs[f]]),
  [listFile, listBuild.metafile.outputs[listFile]],
];
for (const [file, output] of loadedByList) {
  const offender = Object.keys(output.inputs).find((i) => heavy.test(i));
  if (offender) {
    console.error(`bundle-cli: ${offender} is loaded by \`list\` (in ${file}); import it lazily`);
    process.exit(1);
  }
}
if (!quiet) {
  const files = Object.keys(outputs).filter((f) => !f.endsWith('.map'));
  const bytes = files.reduce((n, f) => n + outputs[f].bytes, 0);
  const eagerBytes = [...eager].reduce((n, f) => n + outputs[f].bytes, 0);
  console.log(
    `bundle-cli: ${entry} and ${files.length - 1} chunks, ${(bytes / 1024).toFixed(0)} kB (the list command's code: ${eager.size} files, ${(eagerBytes / 1024).toFixed(0)} kB); ${listFile}, ${(listBuild.metafile.outputs[listFile].bytes / 1024).toFixed(0)} kB`,
  );
}
