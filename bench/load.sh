#!/usr/bin/env bash
# Mixed load (hardening issue), run by hand: CONNECTIONS (64) connections for SECONDS
# (60) of reads and writes as every demo role, against the demo organization on a
# SQLite file (or DATABASE_URL). Prints throughput and latency, transport errors,
# non-200 answers, INTERNAL_SERVER_ERROR answers and CONFLICT answers (the writes here
# never race on one row's version, so a CONFLICT means writers really queued past
# the busy timeout).
#
# Needs wrk and curl (apt-get install wrk curl). Builds the release binary.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_RUN=${SECONDS_RUN:-60}
CONNECTIONS=${CONNECTIONS:-64}
PORT=${PORT:-18282}
WORK=$(mktemp -d)
trap 'kill "${SERVER:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

export DATABASE_URL=${DATABASE_URL:-"sqlite://$WORK/load.db?mode=rwc"}
export SALESGRAPH_ADDR="127.0.0.1:$PORT" SALESGRAPH_LOG=warn SALESGRAPH_DB_MAX_CONNECTIONS=${POOL:-16}

cargo build --release --quiet
BIN=target/release/salesgraph
"$BIN" serve &
SERVER=$!
for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
url="http://127.0.0.1:$PORT/graphql"

gql() { # token body
  curl -fs "$url" -H 'Content-Type: application/json' ${1:+-H "Authorization: Bearer $1"} -d "$2"
}
token() {
  gql "" "{\"query\":\"mutation { login(email: \\\"$1@demo.example\\\", password: \\\"demo-password\\\") { accessToken } }\"}" |
    sed -E 's/.*"accessToken":"([^"]+)".*/\1/'
}
sdr=$(token sdr); ae=$(token ae); am=$(token am); cs=$(token cs)
manager=$(token manager); director=$(token director); partner=$(token partner)
account=$(gql "$ae" '{"query":"{ accounts(first: 1) { edges { node { id } } } }"}' |
  sed -E 's/.*"id":"([^"]+)".*/\1/')

q() { printf '%s\t{"query":"%s"}\n' "$1" "$2"; }
{
  q "$sdr" '{ leads(first: 20) { edges { node { id status owner { name } } } } }'
  q "$sdr" 'mutation { createLead(input: { companyName: \"Load Co\", contactName: \"Lee Load\" }) { id } }'
  q "$ae" '{ opportunities(first: 20) { edges { node { id amount stage account { name } } } } }'
  q "$ae" "mutation { logActivity(input: { kind: CALL, summary: \\\"load test call\\\", accountId: \\\"$account\\\" }) { id } }"
  q "$am" '{ accounts(first: 20) { edges { node { id name lifecycle } } } }'
  q "$cs" '{ accounts(first: 20) { totalCount edges { node { id health } } } }'
  q "$manager" '{ accounts(first: 50) { edges { node { id name owner { name } opportunities(first: 10) { edges { node { id amount owner { name } } } } } } } }'
  q "$manager" '{ handoffs(filter: { overdue: true }) { edges { node { id kind dueAt } } } }'
  q "$director" '{ auditEvents(first: 20) { edges { node { id action } } } }'
  q "$director" '{ quotas(first: 20) { edges { node { id target actual attainment } } } }'
  q "$partner" '{ dealRegistrations(first: 20) { edges { node { id status } } } }'
  q "$partner" '{ opportunities(first: 20) { edges { node { id stage amount } } } }'
} >"$WORK/requests.txt"

echo "== $CONNECTIONS connections, ${SECONDS_RUN}s, $(wc -l <"$WORK/requests.txt") request kinds as 7 roles"
REQUESTS="$WORK/requests.txt" wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_RUN}s" --timeout 30s \
  -s bench/load.lua "$url" | tail -n 1
echo "server RSS: $(awk '/VmRSS/ {print $2 " kB"}' "/proc/$SERVER/status")"
