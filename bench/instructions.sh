#!/usr/bin/env bash
# Instructions per request, counted by callgrind: the one server-CPU figure this shared,
# noisy 2-core machine repeats exactly (run by hand, never in CI). Compares builds
# (before/after) and the floor (examples/floor.rs: the same answer from memory).
#
#   bench/instructions.sh target/release/salesgraph /tmp/salesgraph-before
#   ROLES="director manager" N=20 bench/instructions.sh target/release/salesgraph
#
# Seeds `seed --scale $SCALE` once into database $DB on the local PostgreSQL
# (127.0.0.1:5432, trust; kept for later runs, drop it by hand), then for each binary
# and role: starts the server under callgrind, logs in, sends the nested list six times
# to warm up, zeroes the counters, sends it $N times and divides. Needs valgrind, curl.
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE=${SCALE:-100000}
DB=${DB:-salesgraph_instructions}
N=${N:-20}
ROLES=${ROLES:-director manager}
PORT=${PORT:-18121}
FLOOR_BIN=${FLOOR_BIN:-target/release/examples/floor}
URL="postgres://postgres@127.0.0.1:5432/$DB"
QUERY=${QUERY:-'{ accounts(first: 50) { edges { node { id name owner { name } opportunities(first: 10) { edges { node { id amount stage owner { name } } } } } } } }'}
BODY=$(python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1]}))' "$QUERY")
[ $# -gt 0 ] || { echo "usage: $0 BIN [BIN...]" >&2; exit 2; }

if ! psql -h 127.0.0.1 -U postgres -d "$DB" -Atc "SELECT 1 FROM opportunities LIMIT 1" >/dev/null 2>&1; then
  createdb -h 127.0.0.1 -U postgres "$DB"
  DATABASE_URL=$URL SALESGRAPH_SEED_DEMO=false "$1" seed --scale "$SCALE" >/dev/null
  psql -h 127.0.0.1 -U postgres -d "$DB" -qc "VACUUM ANALYZE"
fi

WORK=$(mktemp -d)
trap 'kill "${VG:-}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
post() { curl -fs "http://127.0.0.1:$PORT/graphql" -H 'Content-Type: application/json' ${TOKEN:+-H "Authorization: Bearer $TOKEN"} -d "$1"; }
# Runs "$@" under callgrind, lets `warm` and `measure` talk to it, prints Ir per request.
measure() { # label cmd...
  local label=$1; shift
  valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.out" "$@" >"$WORK/log" 2>&1 &
  VG=$!
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
  TOKEN=$(login)
  for _ in 1 2 3 4 5 6; do post "$BODY" >"$WORK/answer.json"; done
  callgrind_control -z "$VG" >/dev/null
  for _ in $(seq 1 "$N"); do post "$BODY" >/dev/null; done
  callgrind_control -d "$VG" >/dev/null
  kill "$VG"; wait "$VG" 2>/dev/null || true; VG=
  local ir
  ir=$(grep -h '^summary:' "$WORK"/cg.out* | awk '{print $2}' | sort -n | tail -n 1)
  rm -f "$WORK"/cg.out*
  printf '%-40s %8.2f M instructions/request  (%s bytes)\n' "$label" "$(echo "$ir / $N / 1000000" | bc -l)" "$(wc -c <"$WORK/answer.json")"
}

for bin in "$@"; do
  for role in $ROLES; do
    login() {
      post "{\"query\":\"mutation { login(email: \\\"scale-$role-00001@scale.example\\\", password: \\\"scale-password\\\") { accessToken } }\"}" |
        sed -E 's/.*"accessToken":"([^"]+)".*/\1/'
    }
    DATABASE_URL=$URL SALESGRAPH_ADDR=127.0.0.1:$PORT SALESGRAPH_SEED_DEMO=false \
      SALESGRAPH_LOGIN_FREE_ATTEMPTS=100 SALESGRAPH_LOG=warn measure "$bin $role" "$bin" serve
    [ "$role" = director ] && cp "$WORK/answer.json" "$WORK/director.json"
  done
done
if [ -x "$FLOOR_BIN" ] && [ -f "$WORK/director.json" ]; then
  login() { echo ""; }
  FLOOR_ADDR=127.0.0.1:$PORT FLOOR_DATA=$WORK/director.json measure "floor (director's rows)" "$FLOOR_BIN"
fi
