#!/usr/bin/env bash
# Reads on the embedded SQLite default, run by hand: each query's requests/s and p50/p99
# with every read through the resolvers (SALESGRAPH_COMPILED_READS=false) and with the
# planner on, in one run, on one `seed --scale $N` file, and the ratio.
#
#   bench/sqlite_reads.sh                  # N=100000, 5 s per query, 8 connections
#   N=20000 DURATION=10s bench/sqlite_reads.sh
#   BIN=/tmp/other/salesgraph bench/sqlite_reads.sh   # a given binary (no build)
#
# Needs wrk and curl (apt-get install wrk curl).
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-100000}
DURATION=${DURATION:-5s}
CONNECTIONS=${CONNECTIONS:-8}
PORT=${PORT:-18096}
WORK=$(mktemp -d /tmp/sqlite_reads.XXXXXX)
trap 'kill "${SERVER:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
export DATABASE_URL="sqlite://$WORK/reads.db?mode=rwc"
export SALESGRAPH_ADDR="127.0.0.1:$PORT" SALESGRAPH_LOG=warn SALESGRAPH_SEED_DEMO=false
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=target/release/salesgraph
fi
echo "== seed --scale $N"
"$BIN" migrate up >/dev/null
/usr/bin/time -f "seed wall=%es" "$BIN" seed --scale "$N" 2>&1 | tail -n 1

gql() { # token body
  curl -fs "http://127.0.0.1:$PORT/graphql" -H 'Content-Type: application/json' ${1:+-H "Authorization: Bearer $1"} -d "$2"
}
login() {
  gql "" "{\"query\":\"mutation { login(email: \\\"scale-$1-00001@scale.example\\\", password: \\\"scale-password\\\") { accessToken } }\"}" |
    sed -E 's/.*"accessToken":"([^"]+)".*/\1/'
}

NESTED='{ accounts(first: 50) { edges { node { id name owner { name } opportunities(first: 10) { edges { node { id amount stage owner { name } } } } } } } }'
FLAT='{ opportunities(first: 50) { edges { cursor node { id name amount closeDate owner { name } account { name } } } pageInfo { hasNextPage endCursor } } }'

run() { # compiled label
  SALESGRAPH_COMPILED_READS=$1 "$BIN" serve &
  SERVER=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
  for who in director manager ae sdr; do
    token=$(login "$who")
    for shape in NESTED FLAT; do
      body=$(printf '{"query":"%s"}' "${!shape}")
      printf '%s\t%s\n' "$token" "$body" >"$WORK/req.txt"
      gql "$token" "$body" >/dev/null
      out=$(REQUESTS="$WORK/req.txt" wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -s bench/load.lua "http://127.0.0.1:$PORT/graphql" | tail -n 1)
      echo "$2 $shape:$who $out"
    done
  done
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
}
run false resolvers | tee "$WORK/before.txt"
run true planned | tee "$WORK/after.txt"
echo "== planned ÷ resolvers (requests/s)"
paste "$WORK/before.txt" "$WORK/after.txt" | awk '{
  split($3, a, "="); split($14 ? $14 : "", b, "=");
  for (i = 1; i <= NF; i++) if ($i ~ /^rps=/) { if (!x) { split($i, a, "="); x = 1 } else split($i, b, "=") }
  printf "%-22s %8.1f -> %8.1f  %.2fx\n", $2, a[2], b[2], b[2] / a[2]; x = 0 }'
