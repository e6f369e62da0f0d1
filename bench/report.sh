#!/usr/bin/env bash
# Territory report benchmark, run by hand (never in CI), on PostgreSQL:
#   - seed --scale N (default 1,000,000 opportunities),
#   - the whole-org report for FY2026-Q1: server time (median of 10 GraphQL requests)
#     against the same aggregate SQL run with psql \timing (bench/report.sql),
#   - the CSV download time and the server's peak RSS during it, for the whole org and
#     for one region, resetting the peak (clear_refs) between them.
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/salesgraph_bench bench/report.sh
#   N=20000 BIN=target/debug/salesgraph DATABASE_URL=... bench/report.sh   # a quick try
#   SKIP_SEED=1 DATABASE_URL=... bench/report.sh                           # reuse a seed
#
# Needs curl and psql. Builds the release binary unless BIN is given.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${DATABASE_URL:?set DATABASE_URL to a PostgreSQL database (it is reseeded)}"
N=${N:-1000000}
PORT=${PORT:-18081}
PERIOD=${PERIOD:-FY2026-Q1}
export SALESGRAPH_ADDR="127.0.0.1:$PORT" SALESGRAPH_SEED_DEMO=false SALESGRAPH_LOG=${SALESGRAPH_LOG:-warn}
export SALESGRAPH_LOGIN_FREE_ATTEMPTS=100
trap 'kill "${SERVER:-0}" 2>/dev/null || true' EXIT

if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=target/release/salesgraph
fi

if [ -z "${SKIP_SEED:-}" ]; then
  echo "== seed --scale $N"
  /usr/bin/time -f "seed wall=%es maxrss=%MKB" "$BIN" seed --scale "$N" 2>&1 | tail -n 2
fi

"$BIN" serve &
SERVER=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

TOKEN=$(curl -fs "http://127.0.0.1:$PORT/graphql" -H 'Content-Type: application/json' \
  -d '{"query":"mutation { login(email: \"scale-director-00001@scale.example\", password: \"scale-password\") { accessToken } }"}' |
  sed -E 's/.*"accessToken":"([^"]+)".*/\1/')

gid() { printf 'Territory:%s' "$1" | base64 -w0 | tr '+/' '-_' | tr -d '='; }
ROOT=$(psql "$DATABASE_URL" -Atc "SELECT id FROM territories WHERE parent_id IS NULL ORDER BY name LIMIT 1")
REGION=$(psql "$DATABASE_URL" -Atc "SELECT id FROM territories WHERE depth = 1 ORDER BY name LIMIT 1")
echo "territories: $(psql "$DATABASE_URL" -Atc 'SELECT count(*) FROM territories'), opportunities: $(psql "$DATABASE_URL" -Atc 'SELECT count(*) FROM opportunities')"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

QUERY="{\"query\":\"{ territoryReport(rootId: \\\"$(gid "$ROOT")\\\", period: \\\"$PERIOD\\\") { territories { bookings } reps { bookings } } }\"}"
echo "== territoryReport(whole org, $PERIOD): server, median of 10"
for _ in $(seq 1 10); do
  curl -fs -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$PORT/graphql" \
    -H 'Content-Type: application/json' -H "Authorization: Bearer $TOKEN" -d "$QUERY"
done | median | awk '{printf "server median_ms=%.1f\n", $1 * 1000}'

echo "== the same SQL with psql \\timing, median of 10 (sum of the statements per run)"
# Period bounds as the server computes them (first month from the environment, default 1).
FM=${SALESGRAPH_FISCAL_YEAR_START_MONTH:-1}
Y=$(echo "$PERIOD" | sed -E 's/FY([0-9]{4}).*/\1/'); Q=$(echo "$PERIOD" | sed -nE 's/.*-Q([1-4])/\1/p')
DS=$(date -u -d "$Y-$(printf %02d "$FM")-01 + $(( (${Q:-1} - 1) * 3 )) months" +%F)
DE=$(date -u -d "$DS + $([ -n "$Q" ] && echo 3 || echo 12) months" +%F)
PATH_ROOT=$(psql "$DATABASE_URL" -Atc "SELECT path FROM territories WHERE id = '$ROOT'")
for _ in $(seq 1 10); do
  psql "$DATABASE_URL" -q -v root_path="$PATH_ROOT" -v ds="$DS" -v de="$DE" \
    -v ts="${DS}T00:00:00Z" -v te="${DE}T00:00:00Z" -v period="$PERIOD" -f bench/report.sql |
    awk '/^Time:/ {t += $2} END {print t}'
done | median | awk '{printf "psql median_ms=%.1f\n", $1}'

csv() { # label territory-id
  echo 5 > "/proc/$SERVER/clear_refs" 2>/dev/null || echo "(cannot reset the peak RSS)"
  curl -fs -o /dev/null -w "$1 csv_ms=%{time_total} bytes=%{size_download}\n" \
    -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$PORT/reports/territories.csv?rootId=$(gid "$2")&period=$PERIOD" |
    awk '{ split($2, a, "="); printf "%s csv_ms=%.1f %s\n", $1, a[2] * 1000, $3 }'
  grep -E 'VmHWM' "/proc/$SERVER/status" | awk -v l="$1" '{printf "%s server_peak_rss=%s kB\n", l, $2}'
}
echo "== CSV download and server peak memory"
csv whole-org "$ROOT"
csv region "$REGION"
