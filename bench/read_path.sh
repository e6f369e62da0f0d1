#!/usr/bin/env bash
# The read path measured against its limit, in one run (run by hand, never in CI).
#
# Starts a throwaway PostgreSQL 15 cluster under /tmp (port $PGPORT, pg_stat_statements
# preloaded), seeds it with `seed --scale $N`, starts the release server, and for each
# query prints: requests/s, p50/p99 latency, server and PostgreSQL CPU ms per request
# (from /proc), SQL statements per request (pg_stat_statements), and — in the same run —
# pgbench's transactions/s for one hand-written statement that produces the same data
# under the same scope, with the ratios. The "sql:" rows replay, under pgbench, the
# exact statements the server sent for one nested request (captured from the log):
# server req/s ÷ that tps is the server's own overhead, that tps ÷ the hand-written
# statement's is what the shape of the server's SQL costs PostgreSQL. The cluster is
# removed at the end.
#
# The floor: examples/floor.rs answers the same nested query from memory with actix-web
# and async-graphql alone (no SQL, no auth, no loaders), once with the rows of the real
# server's answer to the director (same size) and once with 50 accounts × 10
# opportunities; the run ends with server CPU(nested:director) ÷ CPU(floor).
#
#   bench/read_path.sh                       # N=100000, 5 s per query, 32 connections
#   N=1000000 DURATION=10s bench/read_path.sh
#   BIN=/tmp/salesgraph-baseline bench/read_path.sh   # measure a binary built elsewhere
#   FLOOR_BIN=target/debug/examples/floor ...          # a floor built elsewhere
#   SALESGRAPH_COMPILED_READS=true bench/read_path.sh  # the one-statement read path
#
# Needs wrk, curl, pgbench and PostgreSQL 15's server binaries (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-100000}
DURATION=${DURATION:-5s}
CONNECTIONS=${CONNECTIONS:-32}
PORT=${PORT:-18094}
FLOOR_PORT=${FLOOR_PORT:-18095}
PGPORT=${PGPORT:-5499}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
WORK=$(mktemp -d /tmp/read_path.XXXXXX)
chmod 755 "$WORK"
PGDATA=$WORK/pg
TICK=$(getconf CLK_TCK)

# PostgreSQL refuses to run as root.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  # Only processes this script started: `kill 0` would signal the whole process group.
  if [ -n "${FLOOR:-}" ]; then kill "$FLOOR" 2>/dev/null || true; fi
  if [ -n "${SERVER:-}" ]; then
    kill "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
  fi
  as_pg "$PGBIN/pg_ctl" -D "$PGDATA" stop -m immediate >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

mkdir "$PGDATA"
[ "$(id -u)" = 0 ] && chown postgres "$PGDATA"
as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w start -o \
  "-p $PGPORT -k $PGDATA -c listen_addresses=127.0.0.1 -c shared_preload_libraries=pg_stat_statements,auto_explain \
   -c pg_stat_statements.track=all -c max_connections=200 -c shared_buffers=256MB \
   -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
PSQL=(psql -h 127.0.0.1 -p "$PGPORT" -U postgres -X -q -A -t -v ON_ERROR_STOP=1)
"${PSQL[@]}" -d postgres -c "CREATE DATABASE salesgraph_bench"
"${PSQL[@]}" -d salesgraph_bench -c "CREATE EXTENSION pg_stat_statements"
sql() { "${PSQL[@]}" -d salesgraph_bench -c "$1"; }

export DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/salesgraph_bench"
export SALESGRAPH_ADDR="127.0.0.1:$PORT" SALESGRAPH_SEED_DEMO=false SALESGRAPH_LOG=${SALESGRAPH_LOG:-warn}
export SALESGRAPH_LOGIN_FREE_ATTEMPTS=100 SALESGRAPH_DB_MAX_CONNECTIONS=${POOL:-16}

# BIN=path/to/salesgraph measures another build (a baseline) with this script.
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=target/release/salesgraph
fi
if [ -z "${FLOOR_BIN:-}" ]; then
  cargo build --release --quiet --example floor
  FLOOR_BIN=target/release/examples/floor
fi
echo "== seed --scale $N"
/usr/bin/time -f "seed wall=%es maxrss=%MKB" "$BIN" seed --scale "$N" 2>&1 | tail -n 1
sql "VACUUM ANALYZE" >/dev/null

start_server() {
  "$BIN" serve &
  SERVER=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
}

gql() { # token body
  curl -fs "http://127.0.0.1:$PORT/graphql" -H 'Content-Type: application/json' ${1:+-H "Authorization: Bearer $1"} -d "$2"
}
login() { # email -> access token
  gql "" "{\"query\":\"mutation { login(email: \\\"$1\\\", password: \\\"scale-password\\\") { accessToken } }\"}" |
    sed -E 's/.*"accessToken":"([^"]+)".*/\1/'
}
user_id() { sql "SELECT id FROM users WHERE email = 'scale-$1@scale.example'"; }

# The floor on $FLOOR_PORT; FLOOR_DATA (a response to the nested query) gives its rows.
start_floor() { # [data file]
  FLOOR_ADDR="127.0.0.1:$FLOOR_PORT" FLOOR_DATA=${1:-} "$FLOOR_BIN" &
  FLOOR=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$FLOOR_PORT/healthz" >/dev/null && break; sleep 0.1; done
}
stop_floor() { kill "$FLOOR"; wait "$FLOOR" 2>/dev/null || true; FLOOR=; }

# The process a row measures: the server unless TARGET_PID/TARGET_PORT name another.
# CPU ticks of the measured process, and of the whole cluster (backends that exited are in
# the postmaster's cutime/cstime).
server_ticks() { awk '{print $14 + $15}' "/proc/${TARGET_PID:-$SERVER}/stat"; }
pg_ticks() {
  local pm total
  pm=$(head -n 1 "$PGDATA/postmaster.pid")
  total=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$pm/stat")
  for c in $(pgrep -P "$pm"); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$c/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
statements() { sql "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%'"; }

printf '%-22s %8s %7s %7s %8s %8s %6s %8s %6s %7s\n' query req/s p50ms p99ms srvCPUms pgCPUms stmts pgb_tps ratio pgCPUx
# One row of the table; its server CPU ms per request is left in LAST_SRV. A sqlfile
# of "-" skips pgbench (the floor has no SQL).
row() { # label token body sqlfile pgbench-vars...
  local line
  line=$(measure "$@")
  echo "$line"
  LAST_SRV=$(awk '{print $5}' <<<"$line")
}
measure() {
  local label=$1 token=$2 body=$3 file=$4
  shift 4
  local s0 c0 p0 s1 c1 p1 out requests
  s0=$(statements); c0=$(server_ticks); p0=$(pg_ticks)
  out=$(TOKEN="$token" BODY="$body" wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -s bench/graphql.lua \
    "http://127.0.0.1:${TARGET_PORT:-$PORT}/graphql" | tail -n 1)
  s1=$(statements); c1=$(server_ticks); p1=$(pg_ticks)
  requests=$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$out")
  local rps p50 p99 errors
  rps=$(sed -E 's/.*rps=([0-9.]+).*/\1/' <<<"$out")
  p50=$(sed -E 's/.*p50_ms=([0-9.]+).*/\1/' <<<"$out")
  p99=$(sed -E 's/.*p99_ms=([0-9.]+).*/\1/' <<<"$out")
  errors=$(sed -E 's/.*errors=([0-9]+).*/\1/' <<<"$out")
  # pgbench: the same data from one hand-written statement.
  local q0 q1 pout="" tps="" txs=""
  q0=$(pg_ticks)
  if [ "$file" != - ]; then
    pout=$(pgbench -n -M prepared -c "$CONNECTIONS" -j 2 -T "${DURATION%s}" -h 127.0.0.1 -p "$PGPORT" -U postgres \
      -f "$file" "$@" salesgraph_bench 2>&1)
    tps=$(awk '/^tps/ {print $3; exit}' <<<"$pout")
    txs=$(awk '/number of transactions actually processed/ {split($NF, a, "/"); print a[1]; exit}' <<<"$pout")
  fi
  q1=$(pg_ticks)
  awk -v l="$label" -v rps="$rps" -v p50="$p50" -v p99="$p99" -v r="$requests" -v t="$TICK" \
    -v c="$((c1 - c0))" -v p="$((p1 - p0))" -v s="$((s1 - s0))" -v tps="${tps:-0}" -v tx="${txs:-0}" \
    -v q="$((q1 - q0))" -v e="$errors" 'BEGIN {
      srv = c * 1000 / t / r; pg = p * 1000 / t / r; pgb = (tx > 0) ? q * 1000 / t / tx : 0
      printf "%-22s %8.1f %7.2f %7.2f %8.2f %8.2f %6.2f %8.1f %6.2f %7.2f%s\n", l, rps, p50, p99, srv, pg, s / r,
        tps, (tps > 0 ? rps / tps : 0), (pgb > 0 ? pg / pgb : 0), (e > 0 ? "  errors=" e : "")
    }'
  if [ -z "$tps" ] && [ "$file" != - ]; then echo "$pout" | tail -n 3 >&2; fi
}

# pgbench alone on the server's captured statements ("sql:" rows): tps in the req/s
# column, PostgreSQL CPU ms per transaction, statements per transaction.
sqlrow() { # label file
  local s0 p0 s1 p1 pout tps txs
  s0=$(statements); p0=$(pg_ticks)
  pout=$(pgbench -n -M prepared -c "$CONNECTIONS" -j 2 -T "${DURATION%s}" -h 127.0.0.1 -p "$PGPORT" -U postgres \
    -f "$2" salesgraph_bench 2>&1)
  s1=$(statements); p1=$(pg_ticks)
  tps=$(awk '/^tps/ {print $3; exit}' <<<"$pout")
  txs=$(awk '/number of transactions actually processed/ {split($NF, a, "/"); print a[1]; exit}' <<<"$pout")
  if [ -z "$tps" ] || [ "${txs:-0}" = 0 ]; then echo "$pout" | tail -n 3 >&2; return; fi
  awk -v l="$1" -v tps="$tps" -v tx="$txs" -v t="$TICK" -v p="$((p1 - p0))" -v s="$((s1 - s0))" 'BEGIN {
      printf "%-22s %8.1f %7s %7s %8s %8.2f %6.2f\n", l, tps, "-", "-", "-", p * 1000 / t / tx, s / tx
    }'
}

# --- hand-written SQL, one statement per query, the scope written out by hand ---------
OWN="SELECT t.id FROM territories t JOIN territories r ON t.path LIKE r.path || '%'
     WHERE r.manager_id = CAST(:me AS uuid) OR r.id IN (SELECT territory_id FROM territory_members WHERE user_id = CAST(:me AS uuid))"
TEAM="WITH RECURSIVE team(id) AS (SELECT id FROM users WHERE id = CAST(:me AS uuid)
      UNION SELECT u.id FROM users u JOIN team ON u.manager_id = team.id) SELECT id FROM team"
VISIBLE_USER="u.active AND u.role <> 'PARTNER'"
nested_sql() { # account scope, opportunity scope, user scope
  cat <<SQL
SELECT coalesce(json_agg(x), '[]') FROM (
  SELECT a.id, a.name,
    (SELECT json_build_object('name', u.name) FROM users u WHERE u.id = a.owner_id AND $3) AS owner,
    (SELECT coalesce(json_agg(y), '[]') FROM (
       SELECT o.id, o.amount_cents, o.stage,
         (SELECT json_build_object('name', u.name) FROM users u WHERE u.id = o.owner_id AND $3) AS owner
       FROM opportunities o WHERE o.account_id = a.id AND $2 ORDER BY o.close_date, o.id LIMIT 10) y) AS opportunities
  FROM accounts a WHERE $1 ORDER BY a.name, a.id LIMIT 50) x;
SQL
}
nested_sql "true" "true" "true" >"$WORK/director.sql"
nested_sql "(a.owner_id IN ($TEAM) OR a.account_manager_id IN ($TEAM) OR a.csm_id IN ($TEAM) OR a.territory_id IN ($OWN))" \
  "(o.owner_id IN ($TEAM) OR o.territory_id IN ($OWN))" "$VISIBLE_USER" >"$WORK/manager.sql"
nested_sql "(a.owner_id = CAST(:me AS uuid) OR a.territory_id IN ($OWN))" "o.owner_id = CAST(:me AS uuid)" "$VISIBLE_USER" >"$WORK/ae.sql"
nested_sql "a.territory_id IN ($OWN)" "o.owner_id = CAST(:me AS uuid)" "$VISIBLE_USER" >"$WORK/sdr.sql"
cat >"$WORK/node.sql" <<'SQL'
SELECT json_build_object('id', o.id, 'name', o.name,
  'owner', (SELECT json_build_object('name', u.name) FROM users u WHERE u.id = o.owner_id),
  'account', (SELECT json_build_object('name', a.name) FROM accounts a WHERE a.id = o.account_id))
FROM opportunities o WHERE o.id = CAST(:id AS uuid);
SQL
PAGE_COLS="id, name, amount_cents, stage, close_date"
echo "SELECT json_agg(x) FROM (SELECT $PAGE_COLS FROM opportunities ORDER BY close_date, id LIMIT 101) x;" >"$WORK/page1.sql"
echo "SELECT json_agg(x) FROM (SELECT $PAGE_COLS FROM opportunities WHERE (close_date, id) > (CAST(:d AS date), CAST(:id AS uuid))
      ORDER BY close_date, id LIMIT 101) x;" >"$WORK/page500.sql"
echo "SELECT id, role, active, tokens_valid_after FROM users WHERE id = CAST(:me AS uuid);" >"$WORK/me.sql"

# EXPLAIN_OUT=file: the plans PostgreSQL ran for the sales manager's nested list with
# its totals and the director's nested list (auto_explain, on a server started only for this), before the benchmark.
if [ -n "${EXPLAIN_OUT:-}" ]; then
  sql "ALTER DATABASE salesgraph_bench SET auto_explain.log_min_duration = 0"
  sql "ALTER DATABASE salesgraph_bench SET auto_explain.log_analyze = on"
  start_server
  COUNTED='{ accounts(first: 50) { totalCount edges { node { id name opportunities(first: 10) { totalCount edges { node { id } } } } } } }'
  gql "$(login scale-manager-00001@scale.example)" "{\"query\":\"$COUNTED\"}" >/dev/null
  # The director's nested list, eight times: the plans after PostgreSQL's switch to
  # generic plans for prepared statements (after the fifth execution) are the ones
  # the benchmark runs.
  LIST='{ accounts(first: 50) { edges { node { id name owner { name } opportunities(first: 10) { edges { node { id amount stage owner { name } } } } } } } }'
  director=$(login scale-director-00001@scale.example)
  for _ in $(seq 1 8); do gql "$director" "{\"query\":\"$LIST\"}" >/dev/null; done
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
  sql "ALTER DATABASE salesgraph_bench RESET ALL"
  awk '/plan:$/ {on = 1; print; next} /^[ \t]/ && on {print; next} {on = 0}' "$PGDATA/server.log" >"$EXPLAIN_OUT"
fi
# The server's own SQL for one nested request per role, captured from the log
# (log_statement=all on a server started only for this) and replayed by pgbench in the
# "sql:" rows: what PostgreSQL alone spends on exactly the statements the server sends.
NESTED='{ accounts(first: 50) { edges { node { id name owner { name } opportunities(first: 10) { edges { node { id amount stage owner { name } } } } } } } }'
sql "ALTER DATABASE salesgraph_bench SET log_statement = 'all'"
start_server
for who in director manager; do
  token=$(login "scale-$who-00001@scale.example")
  gql "$token" "{\"query\":\"$NESTED\"}" >/dev/null # warm: prepared statements, caches
  from=$(($(wc -l <"$PGDATA/server.log") + 1))
  gql "$token" "{\"query\":\"$NESTED\"}" >/dev/null
  sleep 0.5 # the log is written by the backends asynchronously to this shell
  tail -n +"$from" "$PGDATA/server.log" | python3 bench/replay.py /dev/stdin >"$WORK/sql-$who.sql"
done
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
sql "ALTER DATABASE salesgraph_bench RESET log_statement"
start_server

DIRECTOR=$(login scale-director-00001@scale.example)
DIRECTOR_ID=$(user_id director-00001)

row "me" "$DIRECTOR" '{"query":"{ me { id } }"}' "$WORK/me.sql" -D me="$DIRECTOR_ID"
row "nested:director" "$DIRECTOR" "{\"query\":\"$NESTED\"}" "$WORK/director.sql" -D me="$DIRECTOR_ID"
DIRECTOR_SRV=$LAST_SRV
sqlrow "sql:director" "$WORK/sql-director.sql"

# The floor, next to the director's row so that both see the same machine load: first
# with the rows of the director's own answer, then with 50 × 10 made-up rows.
gql "$DIRECTOR" "{\"query\":\"$NESTED\"}" >"$WORK/real.json"
start_floor "$WORK/real.json"
curl -fs "http://127.0.0.1:$FLOOR_PORT/graphql" -H 'Content-Type: application/json' \
  -d "{\"query\":\"$NESTED\"}" >"$WORK/floor.json"
TARGET_PID=$FLOOR TARGET_PORT=$FLOOR_PORT row "floor:director-rows" "" "{\"query\":\"$NESTED\"}" -
FLOOR_SRV=$LAST_SRV
stop_floor
start_floor
curl -fs "http://127.0.0.1:$FLOOR_PORT/graphql" -H 'Content-Type: application/json' \
  -d "{\"query\":\"$NESTED\"}" >"$WORK/floor50x10.json"
TARGET_PID=$FLOOR TARGET_PORT=$FLOOR_PORT row "floor:50x10" "" "{\"query\":\"$NESTED\"}" -
stop_floor

for who in manager ae sdr; do
  row "nested:$who" "$(login "scale-$who-00001@scale.example")" "{\"query\":\"$NESTED\"}" \
    "$WORK/$who.sql" -D me="$(user_id "$who-00001")"
done
sqlrow "sql:manager" "$WORK/sql-manager.sql"

OPP=$(sql "SELECT id FROM opportunities ORDER BY id LIMIT 1")
NODE_ID=$(printf 'Opportunity:%s' "$OPP" | base64 -w0 | tr '+/' '-_' | tr -d '=')
row "node(id:)" "$DIRECTOR" "{\"query\":\"{ node(id: \\\"$NODE_ID\\\") { id ... on Opportunity { name owner { name } account { name } } } }\"}" \
  "$WORK/node.sql" -D id="$OPP"

PAGE='opportunities(first: 100AFTER) { pageInfo { endCursor hasNextPage } edges { node { id name amount stage closeDate } } }'
row "opportunities p1" "$DIRECTOR" "{\"query\":\"{ ${PAGE/AFTER/} }\"}" "$WORK/page1.sql"
# Page 500: walk the cursors once, then time the request for page 500.
cursor=""
for _ in $(seq 1 499); do
  after=${cursor:+, after: \\\"$cursor\\\"}
  cursor=$(gql "$DIRECTOR" "{\"query\":\"{ ${PAGE/AFTER/$after} }\"}" | sed -E 's/.*"endCursor":"([^"]+)".*/\1/')
done
read -r D ID < <(sql "SELECT close_date, id FROM opportunities ORDER BY close_date, id OFFSET 49899 LIMIT 1" | tr '|' ' ')
row "opportunities p500" "$DIRECTOR" "{\"query\":\"{ ${PAGE/AFTER/, after: \\\"$cursor\\\"} }\"}" \
  "$WORK/page500.sql" -D d="$D" -D id="$ID"
echo "server RSS after the run: $(awk '/VmRSS/ {print $2, $3}' "/proc/$SERVER/status")"
same=no
if [ "$(jq -S . "$WORK/real.json")" = "$(jq -S . "$WORK/floor.json")" ]; then same=yes; fi
echo "response bytes: nested:director $(wc -c <"$WORK/real.json"), floor:director-rows $(wc -c <"$WORK/floor.json")" \
  "(same JSON: $same), floor:50x10 $(wc -c <"$WORK/floor50x10.json");" \
  "accounts $(jq '.data.accounts.edges | length' "$WORK/real.json")," \
  "opportunities $(jq '[.data.accounts.edges[].node.opportunities.edges | length] | add' "$WORK/real.json")"
awk -v d="$DIRECTOR_SRV" -v f="$FLOOR_SRV" 'BEGIN {
  printf "server CPU per request, nested:director / floor:director-rows = %.2f / %.2f = %.2f\n", d, f, (f > 0 ? d / f : 0)
}'
