#!/usr/bin/env bash
# Benchmarks the token and introspection endpoints on a release build, on SQLite and (if
# reachable) PostgreSQL. Usage: bench/run.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
connections=${2:-64}
cargo build --release -p idp -p integration-tests --bin idp --bin token-load
idp=target/release/idp
load=target/release/token-load
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

run_on() {
  local db=$1 port=$2
  "$idp" --database-url "$db" migrate >/dev/null 2>&1
  local client
  client=$("$idp" --database-url "$db" client add --name bench --scope "catalogue:enterprise:write" \
    --grant client_credentials --json)
  local id secret
  id=$(echo "$client" | python3 -c 'import json,sys; print(json.load(sys.stdin)["client_id"])')
  secret=$(echo "$client" | python3 -c 'import json,sys; print(json.load(sys.stdin)["client_secret"])')
  RUST_LOG=warn "$idp" --database-url "$db" serve --listen "127.0.0.1:$port" --issuer "http://127.0.0.1:$port" &
  local pid=$!
  for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
  for mode in client_credentials introspect; do
    "$load" --url "http://127.0.0.1:$port" --client-id "$id" --secret "$secret" --mode "$mode" \
      --seconds "$seconds" --connections "$connections"
  done
  echo "server RSS: $(ps -o rss= -p $pid | awk '{printf "%.0f MB", $1/1024}')"
  kill $pid; wait $pid 2>/dev/null || true
}

echo "== SQLite"
run_on "sqlite://$work/bench.db" 18080
if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  dbname="idp_bench_$$"
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $dbname" >/dev/null
  echo "== PostgreSQL"
  run_on "postgres://postgres@127.0.0.1:5432/$dbname" 18081
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE $dbname WITH (FORCE)" >/dev/null
fi
