#!/usr/bin/env bash
# code-server 4.100.3 (VS Code 1.100.3, the newest that runs on Node 20) from npm into DIR, for the
# extension-host tests (extension/test/host.test.ts). Needs Debian's ripgrep and libkrb5-dev (setup.sh
# installs them). Usage: scripts/install-code-server.sh DIR
set -euo pipefail
DIR=${1:?target dir}
VER=4.100.3
[ -f "$DIR/.complete-$VER" ] && exit 0
command -v rg >/dev/null || { echo "install-code-server: ripgrep (rg) is missing" >&2; exit 1; }
# @vscode/ripgrep's postinstall downloads rg from GitHub unless its cache (under os.tmpdir()) holds the asset:
# seed it from Debian's rg. A private TMPDIR keeps seed and install on the same path.
export TMPDIR
TMPDIR=$(mktemp -d /tmp/pk-code-server.XXXXXX)
trap 'rm -rf "$TMPDIR"' EXIT
mkdir -p "$TMPDIR/vscode-ripgrep-cache-1.15.11"
tar czf "$TMPDIR/vscode-ripgrep-cache-1.15.11/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C /usr/bin rg
mkdir -p "$DIR"
cd "$DIR"
[ -f package.json ] || echo '{"name":"pk-code-server","private":true}' > package.json
export npm_config_unsafe_perm=true # code-server's postinstall refuses root without it
export npm_config_yes=true         # node-pty's postinstall runs `npx node-gyp`
npm install "code-server@$VER" --no-audit --no-fund --loglevel=error >/dev/null
node_modules/.bin/code-server --version | grep -q "^$VER " || { echo "install-code-server: $VER does not run" >&2; exit 1; }
touch "$DIR/.complete-$VER"
