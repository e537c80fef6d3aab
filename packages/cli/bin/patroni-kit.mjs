#!/usr/bin/env node
// The `patroni-kit` command. This file is committed (not built) so that `npm ci` links it into
// node_modules/.bin before anything is built; it runs the esbuild bundle that `npm run build` writes, or the
// plain TypeScript output when only `tsc -b` has run.
import { existsSync } from 'node:fs';

// `list` has a one-file build of the same code (scripts/bundle-cli.mjs says why); every other command loads
// from the split bundle.
const fast = process.argv[2] === 'list' ? new URL('../dist/bundle/list.mjs', import.meta.url) : undefined;
const bundle = new URL('../dist/bundle/patroni-kit.mjs', import.meta.url);
const plain = new URL('../dist/src/main.js', import.meta.url);
if (fast && existsSync(fast)) await import(fast.href);
else if (existsSync(bundle)) await import(bundle.href);
else if (existsSync(plain)) await import(plain.href);
else {
  process.stderr.write(
    'patroni-kit: this checkout is not built yet (no packages/cli/dist). Run `npm run build` (or `npm run setup`) first.\n',
  );
  process.exitCode = 2;
}
