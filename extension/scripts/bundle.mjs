#!/usr/bin/env node
// The extension's esbuild bundle (run by `npm run vsix -w extension` and `npm run bundle -w extension`, after
// `tsc -b`): one CommonJS file, as VS Code loads extensions, with `vscode` left to the host. etcd3 reads its
// .proto files from disk at run time; the dcs package's plugin inlines them. The Patroni JSON Schema is copied
// next to the bundle for the `yamlValidation` contribution.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { etcd3ProtoPlugin } from '../../packages/dcs/dist/src/esbuild.js';

const ext = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(ext, 'dist/bundle');
rmSync(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: ext,
  entryPoints: { extension: join(ext, 'dist/src/adapters/extension.js') },
  outdir,
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // Native addons cannot be inlined. ssh2 (Provision Cluster from Spec) is bundled as JavaScript: its optional
  // native parts (`sshcrypto.node`, `cpu-features`) are required inside try/catch, so left out they make
  // ssh2 use its pure-JS crypto. The drill code (resvg, pg-native) is never imported.
  external: ['vscode', '*.node', 'cpu-features', '@resvg/resvg-js', 'pg-native'],
  plugins: [etcd3ProtoPlugin()],
  metafile: true,
  minify: true,
  sourcemap: false,
  logLevel: 'warning',
});
const inputs = Object.keys(result.metafile.inputs);
const native = inputs.find((i) => /node_modules\/(cpu-features|@resvg)\/|\.node$/.test(i));
if (native) {
  console.error(`bundle: ${native} is in the extension bundle; native addons must not be imported`);
  process.exit(1);
}
// The extension-host suite (test/host/suite.ts), loaded by the host through the payload route; not in the vsix.
await build({
  absWorkingDir: ext,
  entryPoints: { suite: join(ext, 'dist/test/host/suite.js') },
  outdir: join(ext, 'dist/host-test'),
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['vscode'],
  logLevel: 'warning',
});
mkdirSync(join(ext, 'dist/schemas'), { recursive: true });
copyFileSync(join(ext, '../schemas/patroni.schema.json'), join(ext, 'dist/schemas/patroni.schema.json'));
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(
  `bundle: dist/bundle/extension.cjs, ${(bytes / 1024).toFixed(0)} kB from ${inputs.length} modules`,
);
