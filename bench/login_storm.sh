#!/usr/bin/env bash
# Login storm (hardening issue), run by hand: the p99 of `{ me { id } }` under load,
# alone and while 20 connections send wrong passwords for 20 distinct emails, and
# the ratio. argon2 work is capped one core below the machine's, so the storm queues
# instead of taking every core.
#
#   bench/login_storm.sh                 # default login throttling
#   THROTTLE=off bench/login_storm.sh    # 100 free attempts per email: hashed, not throttled
#   BIN=/tmp/old/salesgraph bench/login_storm.sh   # measure a given binary (no build)
#
# Needs wrk and curl (apt-get install wrk curl). Builds the release binary.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_EACH=${SECONDS_EACH:-20}
CONNECTIONS=${CONNECTIONS:-16}
PORT=${PORT:-18181}
WORK=$(mktemp -d)
trap 'kill "${SERVER:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

export DATABASE_URL="sqlite://$WORK/storm.db?mode=rwc"
export SALESGRAPH_ADDR="127.0.0.1:$PORT" SALESGRAPH_LOG=warn
if [ "${THROTTLE:-on}" = off ]; then
  export SALESGRAPH_LOGIN_FREE_ATTEMPTS=100
fi

if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=target/release/salesgraph
fi
"$BIN" serve &
SERVER=$!
for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

token=$(curl -fs "http://127.0.0.1:$PORT/graphql" -H 'Content-Type: application/json' \
  -d '{"query":"mutation { login(email: \"director@demo.example\", password: \"demo-password\") { accessToken } }"}' |
  sed -E 's/.*"accessToken":"([^"]+)".*/\1/')
printf '%s\t%s\n' "$token" '{"query":"{ me { id } }"}' >"$WORK/me.txt"
for i in $(seq -w 1 20); do
  printf -- '-\t{"query":"mutation { login(email: \\"storm-%s@example.com\\", password: \\"wrong-password-123\\") { accessToken } }"}\n' "$i"
done >"$WORK/storm.txt"

url="http://127.0.0.1:$PORT/graphql"
echo "== me alone ($CONNECTIONS connections, ${SECONDS_EACH}s)"
alone=$(REQUESTS="$WORK/me.txt" wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_EACH}s" -s bench/load.lua "$url" | tail -n 1)
echo "$alone"
echo "== me during the storm (20 connections of wrong passwords, THROTTLE=${THROTTLE:-on})"
REQUESTS="$WORK/storm.txt" wrk -t1 -c20 -d"$((SECONDS_EACH + 4))s" -s bench/load.lua "$url" >"$WORK/storm.out" &
STORM=$!
sleep 2
during=$(REQUESTS="$WORK/me.txt" wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_EACH}s" -s bench/load.lua "$url" | tail -n 1)
wait "$STORM"
echo "$during"
echo "storm: $(tail -n 1 "$WORK/storm.out")"
p99() { sed -E 's/.*p99_ms=([0-9.]+).*/\1/' <<<"$1"; }
awk -v a="$(p99 "$alone")" -v d="$(p99 "$during")" \
  'BEGIN { printf "me p99 alone=%.2f ms during=%.2f ms ratio=%.2f (target <= 2)\n", a, d, d / a }'
