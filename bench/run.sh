#!/usr/bin/env bash
# Benchmarks, run by hand (never in CI): login latency, `{ me { id } }` throughput, and
# the nested accounts query after `seed --scale N`, per role, with SQL statements per
# request read from /metrics.
#
#   bench/run.sh                      # SQLite file in a temp dir, N=100000
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/salesgraph_bench bench/run.sh
#   N=20000 DURATION=10s CONNECTIONS=32 bench/run.sh
#   SKIP_SEED=1 DATABASE_URL=... bench/run.sh   # reuse a database seeded before
#
# Needs wrk and curl (apt-get install wrk curl). Builds the release binary.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-100000}
DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-32}
PORT=${PORT:-18080}
WORK=$(mktemp -d)
trap 'kill "${SERVER:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

if [ -z "${DATABASE_URL:-}" ]; then
  export DATABASE_URL="sqlite://$WORK/bench.db?mode=rwc"
fi
export SALESGRAPH_ADDR="127.0.0.1:$PORT" SALESGRAPH_SEED_DEMO=false SALESGRAPH_LOG=${SALESGRAPH_LOG:-warn}
# Generous throttling: the login loop below is one user signing in many times.
export SALESGRAPH_LOGIN_FREE_ATTEMPTS=100 SALESGRAPH_DB_MAX_CONNECTIONS=${POOL:-16}

cargo build --release --quiet
BIN=target/release/salesgraph

if [ -z "${SKIP_SEED:-}" ]; then
  echo "== seed --scale $N ($DATABASE_URL)"
  /usr/bin/time -f "seed wall=%es maxrss=%MKB" "$BIN" seed --scale "$N" 2>&1 | tail -n 3
fi

"$BIN" serve &
SERVER=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

gql() { # token body
  curl -fs "http://127.0.0.1:$PORT/graphql" -H 'Content-Type: application/json' ${1:+-H "Authorization: Bearer $1"} -d "$2"
}
login() { # email -> access token
  gql "" "{\"query\":\"mutation { login(email: \\\"$1\\\", password: \\\"scale-password\\\") { accessToken } }\"}" |
    sed -E 's/.*"accessToken":"([^"]+)".*/\1/'
}
statements() {
  curl -fs "http://127.0.0.1:$PORT/metrics" | awk '/^salesgraph_db_statements_total/ {print $2}'
}

echo "== login latency (sequential, 50 logins)"
times=()
for _ in $(seq 1 50); do
  t=$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$PORT/graphql" -H 'Content-Type: application/json' \
    -d '{"query":"mutation { login(email: \"scale-director-00001@scale.example\", password: \"scale-password\") { accessToken } }"}')
  times+=("$t")
done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "login median_ms=%.1f p90_ms=%.1f\n", a[int(NR/2)+1]*1000, a[int(NR*0.9)]*1000}'

run() { # label token query
  local before after
  before=$(statements)
  TOKEN="$2" BODY="{\"query\":\"$3\"}" wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -s bench/graphql.lua \
    "http://127.0.0.1:$PORT/graphql" | tail -n 1 | tee "$WORK/out"
  after=$(statements)
  requests=$(sed -E 's/.*requests=([0-9]+).*/\1/' "$WORK/out")
  awk -v b="$before" -v a="$after" -v r="$requests" -v l="$1" 'BEGIN {printf "%s statements_per_request=%.2f\n", l, (a-b)/r}'
}

DIRECTOR=$(login scale-director-00001@scale.example)
echo "== { me { id } } at $CONNECTIONS connections"
run "me" "$DIRECTOR" "{ me { id } }"

NESTED='{ accounts(first: 50) { edges { node { owner { name } territory { name } opportunities(first: 10) { edges { node { owner { name } } } } } } } }'
for who in director-00001 manager-00001 ae-00001 sdr-00001; do
  token=$(login "scale-$who@scale.example")
  echo "== nested accounts(first: 50) as $who"
  run "nested:$who" "$token" "$NESTED"
done
