#!/usr/bin/env bash
# Benchmarks business crowdsourcing on a release build, on SQLite and (when reachable)
# PostgreSQL, with 100,000 listed demands and a history of 1,000,000 dealt demands and their
# service orders: the portal listing with random filters and a provider's matching demands
# (wrk, 16 connections), and the statistics page's queries.
# Usage: bench/crowdsourcing.sh [listed-demands] [orders] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
demands=${1:-100000}
orders=${2:-1000000}
seconds=${3:-10}
cargo build --release -p idp -p nx-bench
idp=target/release/idp
bench=target/release/nx-crowdsourcing-bench
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)"; exit 1; }
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

run_on() {
  local db=$1 port=$2
  local url="http://127.0.0.1:$port"
  RUST_LOG=warn "$idp" --database-url "$db" serve --listen "127.0.0.1:$port" --issuer "$url" &
  local pid=$!
  for _ in $(seq 1 100); do curl -fs "$url/readyz" >/dev/null && break; sleep 0.1; done
  RUST_LOG=warn "$idp" --database-url "$db" demo >/dev/null
  echo "seeding $demands listed demands and $orders orders:"
  "$bench" --url "$url" --database-url "$db" seed --demands "$demands" --orders "$orders"
  local tokens
  tokens=$("$bench" --url "$url" --database-url "$db" tokens)
  local portal provider staff
  portal=$(sed -n 's/^PORTAL=//p' <<<"$tokens")
  provider=$(sed -n 's/^PROVIDER=//p' <<<"$tokens")
  staff=$(sed -n 's/^STAFF=//p' <<<"$tokens")
  echo "portal listing with filters (16 connections):"
  BENCH_TOKEN=$portal wrk -t2 -c16 -d"${seconds}s" --latency -s bench/wrk_demands.lua "$url" \
    | grep -E "Requests/sec|^ +(50|99)%|Non-2xx"
  echo "a provider's matching demands (16 connections):"
  BENCH_TOKEN=$provider wrk -t2 -c16 -d"${seconds}s" --latency -s bench/wrk_matching.lua "$url" \
    | grep -E "Requests/sec|^ +(50|99)%|Non-2xx"
  "$bench" --url "$url" --database-url "$db" statistics --runs 5 --token "$staff"
  echo "   server RSS $(awk '/VmRSS/ {printf "%.0f MB", $2/1024}' /proc/$pid/status)"
  kill $pid; wait $pid 2>/dev/null || true
}

echo "== SQLite"
run_on "sqlite://$work/crowdsourcing.db" 18095
if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  dbname="idp_crowdsourcing_bench_$$"
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $dbname"
  echo "== PostgreSQL"
  run_on "postgres://postgres@127.0.0.1:5432/$dbname" 18096
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE $dbname WITH (FORCE)"
fi
