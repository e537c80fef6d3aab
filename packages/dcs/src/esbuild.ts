/**
 * esbuild plugin for bundles that contain npm `etcd3`: etcd3 loads `proto/rpc.proto` from disk next to its
 * own files at run time, which a bundle no longer has. The plugin compiles the .proto files at build time
 * and inlines them as JSON, so the bundle needs no files beside it.
 *
 * Usage: `esbuild.build({ ..., format: 'cjs', plugins: [etcd3ProtoPlugin()] })`. esbuild's ESM output cannot
 * hold grpc-js (it calls `require` dynamically), so bundle as CommonJS, as VS Code extensions are.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The subset of esbuild's plugin API we use (esbuild stays a build-time dependency of the caller). */
export interface EsbuildPluginLike {
  name: string;
  setup(build: {
    onLoad(
      options: { filter: RegExp },
      callback: (args: { path: string }) => Promise<{ contents: string; loader: 'js' }>,
    ): void;
  }): void;
}

const LOAD_CALL = /\(0,\s*proto_loader_1\.loadSync\)\(`\$\{__dirname\}\/\.\.\/proto\/rpc\.proto`,/;

/** Builds the JSON descriptor of etcd3's rpc.proto (with kv.proto and auth.proto) as proto-loader would. */
export function etcd3ProtoJson(connectionPoolPath: string): unknown {
  const require = createRequire(connectionPoolPath);
  const protoLoaderPath = require.resolve('@grpc/proto-loader');
  const protobuf = createRequire(protoLoaderPath)('protobufjs') as {
    Root: new () => {
      loadSync(file: string, opts: { keepCase: boolean }): { resolveAll(): { toJSON(): unknown } };
    };
  };
  const root = new protobuf.Root().loadSync(join(dirname(connectionPoolPath), '..', 'proto', 'rpc.proto'), {
    keepCase: true,
  });
  return root.resolveAll().toJSON();
}

/** The esbuild plugin that inlines etcd3's .proto files. */
export function etcd3ProtoPlugin(): EsbuildPluginLike {
  return {
    name: 'patroni-kit-etcd3-protos',
    setup(build) {
      build.onLoad({ filter: /[\\/]etcd3[\\/]lib[\\/]connection-pool\.js$/ }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        if (!LOAD_CALL.test(source)) {
          throw new Error(
            `etcd3 at ${args.path} no longer loads proto/rpc.proto the way this plugin expects`,
          );
        }
        const json = JSON.stringify(etcd3ProtoJson(args.path));
        return { contents: source.replace(LOAD_CALL, `(0, proto_loader_1.fromJSON)(${json},`), loader: 'js' };
      });
    },
  };
}
