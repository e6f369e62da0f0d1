#!/usr/bin/env bash
# Hostile documents (security issue), run by hand: the slowest answer to each family of
# generated documents up to SALESGRAPH_MAX_BODY_BYTES (256 KiB), and /healthz p50/p99
# alone and while four of them are sent in a loop. Release build, SQLite file, the
# production limits (development mode only for its demo data).
#
#   bench/hostile_documents.sh
#   BIN=/tmp/old/salesgraph bench/hostile_documents.sh   # a given binary (no build)
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${PORT:-18182}
WORK=$(mktemp -d)
trap 'kill "${SERVER:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
export DATABASE_URL="sqlite://$WORK/hostile.db?mode=rwc"
export SALESGRAPH_ADDR="127.0.0.1:$PORT" SALESGRAPH_LOG=warn
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=target/release/salesgraph
fi
"$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
python3 bench/hostile_documents.py "http://127.0.0.1:$PORT" $((256 * 1024)) || tail -5 "$WORK/server.log"
