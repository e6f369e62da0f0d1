#!/usr/bin/env bash
# Live events across two replicas, run by hand (never in CI).
#
# Starts a throwaway PostgreSQL 15 cluster under /tmp (port $PGPORT, removed at the end),
# seeds `seed --scale $N` plus $DIRECTORS extra directors (so that every event reaches
# many subscribers), starts two release servers on the one database, and runs the
# WebSocket client `examples/events_bench.rs`:
#   (a) latency: $LATENCY_EVENTS events caused on replica A (the clock read before the
#       mutation's request), received by a subscriber on replica B: median and p99;
#   (b) fan-out: $SUBSCRIBERS subscribers, every internal user in turn, alternating
#       between the replicas; $FANOUT_EVENTS events caused on A and B in turn; checks
#       that each event reaches exactly its entitled subscribers (computed from the
#       organization as the server's policy has it), the time until the last one has
#       it, and each server's RSS before they connect, while connected and after they
#       disconnect.
#
#   bench/events.sh | tee bench/results/live-events-two-replicas.txt
#   N=10000 SUBSCRIBERS=200 bench/events.sh
#   BIN=target/release/salesgraph CLIENT=target/release/examples/events_bench bench/events.sh
#
# Needs curl and PostgreSQL 15's server binaries. Run as root it runs the cluster as the
# `postgres` user.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-100000}
DIRECTORS=${DIRECTORS:-40}
export SUBSCRIBERS=${SUBSCRIBERS:-1000} LATENCY_EVENTS=${LATENCY_EVENTS:-200} FANOUT_EVENTS=${FANOUT_EVENTS:-40}
PORT_A=${PORT_A:-18095}
PORT_B=${PORT_B:-18096}
PGPORT=${PGPORT:-5498}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
WORK=$(mktemp -d /tmp/events_bench.XXXXXX)
chmod 755 "$WORK"
PGDATA=$WORK/pg

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  kill "${SERVER_A:-0}" "${SERVER_B:-0}" 2>/dev/null || true
  wait "${SERVER_A:-0}" "${SERVER_B:-0}" 2>/dev/null || true
  as_pg "$PGBIN/pg_ctl" -D "$PGDATA" stop -m immediate >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

mkdir "$PGDATA"
[ "$(id -u)" = 0 ] && chown postgres "$PGDATA"
as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w start -o \
  "-p $PGPORT -k $PGDATA -c listen_addresses=127.0.0.1 -c max_connections=100 \
   -c shared_buffers=256MB -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
PSQL=(psql -h 127.0.0.1 -p "$PGPORT" -U postgres -X -q -A -t -v ON_ERROR_STOP=1)
"${PSQL[@]}" -d postgres -c "CREATE DATABASE salesgraph_events"
sql() { "${PSQL[@]}" -d salesgraph_events -F $'\t' -c "$1"; }

export DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/salesgraph_events"
export SALESGRAPH_SEED_DEMO=false SALESGRAPH_LOG=${SALESGRAPH_LOG:-warn} SALESGRAPH_DB_MAX_CONNECTIONS=${POOL:-8}

if [ -z "${BIN:-}" ] || [ -z "${CLIENT:-}" ]; then
  cargo build --release --quiet --bin salesgraph --example events_bench
  BIN=${BIN:-target/release/salesgraph}
  CLIENT=${CLIENT:-target/release/examples/events_bench}
fi
echo "== seed --scale $N, plus $DIRECTORS directors"
"$BIN" seed --scale "$N" >/dev/null 2>&1
# The extra directors share the first one's password hash (no hashing here).
sql "INSERT INTO users (id, email, name, role, manager_id, partner_id, active, password_hash, created_at, updated_at)
     SELECT gen_random_uuid(), format('bench-director-%s@scale.example', g), 'Bench Director ' || g, role,
            NULL, NULL, true, password_hash, now(), now()
     FROM users, generate_series(1, $DIRECTORS) g WHERE email = 'scale-director-00001@scale.example'" >/dev/null
sql "VACUUM ANALYZE" >/dev/null

# The plan: every active internal user (with their manager), and per team an SDR, an AE
# and a territory both work (a lead there may be handed from one to the other).
export PLAN=$WORK/plan.tsv PASSWORD=scale-password
sql "SELECT 'user', id, email, role, coalesce(manager_id::text, '-') FROM users
     WHERE active AND role <> 'PARTNER' ORDER BY email" >"$PLAN"
sql "SELECT DISTINCT ON (s.manager_id) 'pair', s.email, a.id, ms.territory_id
     FROM users s
     JOIN users a ON a.manager_id = s.manager_id AND a.role = 'ACCOUNT_EXECUTIVE'
     JOIN territory_members ms ON ms.user_id = s.id
     JOIN territory_members ma ON ma.user_id = a.id AND ma.territory_id = ms.territory_id
     WHERE s.role = 'SDR' ORDER BY s.manager_id, s.email, a.email, ms.territory_id" >>"$PLAN"
echo "plan: $(grep -c '^user' "$PLAN") users, $(grep -c '^pair' "$PLAN") teams"

SALESGRAPH_ADDR="127.0.0.1:$PORT_A" "$BIN" serve &
SERVER_A=$!
SALESGRAPH_ADDR="127.0.0.1:$PORT_B" "$BIN" serve &
SERVER_B=$!
export A="http://127.0.0.1:$PORT_A" B="http://127.0.0.1:$PORT_B" PID_A=$SERVER_A PID_B=$SERVER_B
for url in "$A" "$B"; do
  for _ in $(seq 1 300); do
    curl -fs "$url/readyz" | grep -q '"liveEvents":"listening"' && break
    sleep 0.1
  done
done
echo "two replicas: A pid $SERVER_A, B pid $SERVER_B ($(nproc) cores, $(date -u +%F))"

# Enough descriptors for every socket of the client.
ulimit -n 8192 2>/dev/null || true
"$CLIENT"
