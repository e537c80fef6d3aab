#!/usr/bin/env bash
# `npm test`: set-up (idempotent), build, lint, generated-code checks, then every test suite with Node's
# test runner. Integration suites start real etcd, Patroni, PostgreSQL and HAProxy; every lab they start is
# stopped afterwards, also when a suite crashes.
#   npm test                 everything
#   npm test -- --packages   only the packages' own suites (not the lab suites under test/)
#   npm test -- FILE.js ...  only these compiled test files
set -euo pipefail
cd "$(dirname "$0")/.."

packages_only=0
files=()
for arg in "$@"; do
  case "$arg" in
    --packages) packages_only=1 ;;
    *) files+=("$arg") ;;
  esac
done

if [ "${PATRONI_KIT_SKIP_SETUP:-}" != 1 ]; then bash scripts/setup.sh; else npm run --silent build; fi

echo "[test] lint (biome)"
npx biome check --error-on-warnings . >/dev/null || { npx biome check . ; exit 1; }
for check in scripts/gen-*.mjs; do
  [ -f "$check" ] || continue
  echo "[test] generated code is current: $check --check"
  node "$check" --check
done

# Labs started by the tests live below this folder; whatever is left there at the end is stopped.
export TMPDIR
TMPDIR=$(mktemp -d /tmp/patroni-kit-test.XXXXXX)
chmod 755 "$TMPDIR" # the ordinary-user lab test runs as postgres and must traverse it
cleanup() {
  local state
  for state in $(find "$TMPDIR" -name lab.json 2>/dev/null); do
    node packages/cli/dist/src/main.js lab down --purge --quiet --dir "$(dirname "$state")" >/dev/null 2>&1 || true
  done
  rm -rf "$TMPDIR"
}
trap cleanup EXIT

if [ ${#files[@]} -eq 0 ]; then
  mapfile -t files < <(find packages/*/dist/test extension/dist/test -name '*.test.js' 2>/dev/null | sort)
  if [ "$packages_only" = 0 ]; then
    mapfile -t -O "${#files[@]}" files < <(find test/dist -name '*.test.js' 2>/dev/null | sort)
  fi
fi
[ ${#files[@]} -gt 0 ] || { echo "[test] no test files found (did the build run?)" >&2; exit 1; }
echo "[test] ${#files[@]} test files"
# One file at a time: the integration suites each run a cluster, and this machine has two cores.
# Backstops: no single test may run 15 minutes, and a leaked handle must not keep the runner alive.
node --test --test-concurrency=1 --test-timeout=900000 --test-force-exit --test-reporter=spec "${files[@]}"
