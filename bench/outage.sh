#!/usr/bin/env bash
# Database outage drill, run by hand (never in CI): a throwaway PostgreSQL cluster is
# stopped for OUTAGE seconds while a writer creates accounts once every 100 ms.
# Checks: requests fail within 3 s with a clear error while the database is down,
# /readyz answers 503, the server recovers by itself, and every write that was
# acknowledged is in the database afterwards (each one is looked up).
#
#   bench/outage.sh                  # uses target/debug/salesgraph (cargo build first)
#   BIN=target/release/salesgraph OUTAGE=10 bench/outage.sh
#
# Needs initdb/pg_ctl/psql (PostgreSQL 15), curl and jq-free bash. Run as root it
# runs the cluster as the `postgres` user.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-target/debug/salesgraph}
OUTAGE=${OUTAGE:-10}
PGPORT=${PGPORT:-55432}
PORT=${PORT:-18090}
WORK=$(mktemp -d)
chmod 777 "$WORK"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  [ -n "${WRITER:-}" ] && kill "$WRITER" 2>/dev/null || true
  [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null || true
  as_pg pg_ctl -D "$WORK/pg" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

as_pg initdb -D "$WORK/pg" -A trust -U postgres >/dev/null
as_pg pg_ctl -D "$WORK/pg" -o "-p $PGPORT -k $WORK" -l "$WORK/pg.log" -w start >/dev/null
psql -h 127.0.0.1 -p "$PGPORT" -U postgres -qc "CREATE DATABASE salesgraph" >/dev/null
DB="postgres://postgres@127.0.0.1:$PGPORT/salesgraph"

SALESGRAPH_ADDR="127.0.0.1:$PORT" DATABASE_URL="$DB" SALESGRAPH_LOG=warn \
  SALESGRAPH_DB_ACQUIRE_TIMEOUT_SECS=2 "$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER=$!
URL="http://127.0.0.1:$PORT"
for _ in $(seq 1 600); do
  curl -sf "$URL/readyz" >/dev/null && break
  sleep 0.1
done

gql() { curl -s -m 10 -H 'Content-Type: application/json' ${TOKEN:+-H "Authorization: Bearer $TOKEN"} \
  -d "$1" "$URL/graphql"; }
TOKEN=$(gql '{"query":"mutation { login(email: \"director@demo.example\", password: \"demo-password\") { accessToken } }"}' |
  sed -n 's/.*"accessToken":"\([^"]*\)".*/\1/p')
[ -n "$TOKEN" ] || { echo "login failed"; exit 1; }
export TOKEN

# The writer: one createAccount every 100 ms; each answer is recorded with its time.
writer() {
  local n=0
  while true; do
    n=$((n + 1))
    local start end body
    start=$(date +%s.%N)
    body=$(gql "{\"query\":\"mutation { createAccount(input: { name: \\\"Outage $n\\\", domain: \\\"outage-$n.example\\\" }) { id domain } }\"}" || true)
    end=$(date +%s.%N)
    local ms
    ms=$(echo "($end - $start) * 1000 / 1" | bc)
    if [[ "$body" == *'"domain":"outage-'* ]]; then
      echo "ok $n $ms" >>"$WORK/writes"
    else
      local code
      code=$(echo "$body" | sed -n 's/.*"code":"\([A-Z_]*\)".*/\1/p' | head -1)
      echo "fail $n $ms ${code:-transport} $(echo "$body" | sed -n 's/.*"message":"\([^"]*\)".*/\1/p' | head -1)" >>"$WORK/writes"
    fi
    sleep 0.1
  done
}
writer &
WRITER=$!

sleep 5
echo "stopping PostgreSQL for ${OUTAGE}s"
as_pg pg_ctl -D "$WORK/pg" -m fast -w stop >/dev/null
down_at=$(date +%s)
ready_codes=""
while [ $(( $(date +%s) - down_at )) -lt "$OUTAGE" ]; do
  ready_codes+="$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$URL/readyz") "
  sleep 1
done
as_pg pg_ctl -D "$WORK/pg" -o "-p $PGPORT -k $WORK" -l "$WORK/pg.log" -w start >/dev/null
up_at=$(date +%s.%N)
until curl -sf "$URL/readyz" >/dev/null; do sleep 0.1; done
recovered=$(echo "$(date +%s.%N) - $up_at" | bc)
sleep 5
kill "$WRITER"; WRITER=""
sleep 0.5

acked=$(grep -c '^ok' "$WORK/writes" || true)
failed=$(grep -c '^fail' "$WORK/writes" || true)
slowest_fail=$(grep '^fail' "$WORK/writes" | awk '{print $3}' | sort -n | tail -1)
missing=0
for n in $(grep '^ok' "$WORK/writes" | awk '{print $2}'); do
  found=$(psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d salesgraph -tAc \
    "SELECT count(*) FROM accounts WHERE domain = 'outage-$n.example'")
  [ "$found" = 1 ] || { missing=$((missing + 1)); echo "acknowledged but missing: outage-$n"; }
done
echo "readyz during the outage: $ready_codes"
echo "writes acknowledged: $acked, failed: $failed (slowest failure ${slowest_fail:-0} ms)"
echo "failure codes: $(grep '^fail' "$WORK/writes" | awk '{print $4}' | sort | uniq -c | tr '\n' ' ')"
echo "first failure message: $(grep '^fail' "$WORK/writes" | head -1 | cut -d' ' -f5-)"
echo "recovered ${recovered}s after PostgreSQL was back; acknowledged writes missing: $missing"
[ "$missing" = 0 ]
