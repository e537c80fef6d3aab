#!/usr/bin/env bash
# `npm run demo`: set-up, build, a real three-node cluster on this machine, the toolkit working on it.
# Leaves the cluster running and says how to stop it. Extra arguments go to `patroni-kit lab up`
# (e.g. `npm run demo -- --patroni 3.0.2 --etcd 3.4`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

pk() { node packages/cli/dist/src/main.js "$@"; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Starting the lab: 3 etcd members, 3 Patroni + PostgreSQL 15 nodes, HAProxy (5000 writer, 5001 reader)"
pk lab up --fast "$@"
status=$(pk lab status --json)
field() { node -e 'const s=JSON.parse(process.argv[1]); console.log(eval("s."+process.argv[2]))' "$status" "$1"; }
pgpass=$(field pgpassFile)
host=$(node -e 'console.log(new URL(process.argv[1]).hostname)' "$(field writerUri)")

step "A write through the writer port (5000) and a read through the reader port (5001)"
PGPASSFILE=$pgpass psql -X -q -h "$host" -p 5000 -U postgres postgres \
  -c "create table if not exists demo (id serial primary key, note text, at timestamptz default now())" \
  -c "insert into demo (note) values ('written through HAProxy 5000')"
PGPASSFILE=$pgpass psql -X -h "$host" -p 5000 -U postgres postgres -Atc \
  "select 'writer port -> ' || host(inet_server_addr()) || ', in recovery: ' || pg_is_in_recovery()"
sleep 1
PGPASSFILE=$pgpass psql -X -h "$host" -p 5001 -U postgres postgres -Atc \
  "select 'reader port -> ' || host(inet_server_addr()) || ', in recovery: ' || pg_is_in_recovery() || ', rows: ' || count(*) from demo"

if [ -f packages/cli/dist/src/commands/list.js ]; then
  step "patroni-kit list"
  pk list -c "$(field ctlConfig)"
fi
if [ -f packages/cli/dist/src/commands/switchover.js ]; then
  step "A switchover with patroni-kit (pre-checks, then wait until the new leader runs)"
  pk switchover -c "$(field ctlConfig)" --force
  step "Waiting until the old leader streams again and the DCS shows it (examples/wait-until-healthy.mjs)"
  pk lab up --quiet >/dev/null
  node examples/wait-until-healthy.mjs "$(field ctlConfig)" 120
  pk list -c "$(field ctlConfig)"
fi

if [ -f packages/cli/dist/src/commands/health.js ]; then
  step "patroni-kit health (check_patroni's checks; exit 0 OK, 1 WARNING, 2 CRITICAL)"
  PGPASSFILE=$pgpass pk health -c "$(field ctlConfig)" || echo "(health exit code $?)"
  step "patroni-kit etcd status (the consensus store first)"
  pk etcd status -c "$(field ctlConfig)"
  step "patroni-kit lint on the lab's own patroni.yml"
  pk lint "$(field dir)/n1/patroni.yml"
fi

step "The cluster keeps running"
cat <<TXT
  status:      node packages/cli/dist/src/main.js lab status
  patronictl:  patronictl -c $(field ctlConfig) list
  kill a node: node packages/cli/dist/src/main.js lab kill n2   (a leader kill fails over in ~20 s)
  stop it:     node packages/cli/dist/src/main.js lab down        (add --purge to delete its data)
TXT
