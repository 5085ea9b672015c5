#!/usr/bin/env bash
# Benchmarks financing services on a release build, on SQLite and (when reachable) PostgreSQL,
# with 200,000 bridge loans across 20 banks and 22 counties: the supervision table's first page
# for staff and for one bank and searched by name (wrk, 16 connections), and the statistics
# page's queries over the past twelve months.
# Usage: bench/financing.sh [bridges] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
bridges=${1:-200000}
seconds=${2:-10}
cargo build --release -p idp -p nx-bench
idp=target/release/idp
bench=target/release/nx-financing-bench
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
  echo "seeding $bridges bridge loans:"
  "$bench" --url "$url" --database-url "$db" seed --bridges "$bridges"
  local tokens staff bank
  tokens=$("$bench" --url "$url" --database-url "$db" tokens)
  staff=$(sed -n 's/^STAFF=//p' <<<"$tokens")
  bank=$(sed -n 's/^BANK=//p' <<<"$tokens")
  echo "supervision table, staff (16 connections):"
  BENCH_TOKEN=$staff wrk -t2 -c16 -d"${seconds}s" --latency -s bench/wrk_supervision.lua "$url" \
    | grep -E "Requests/sec|^ +(50|99)%|Non-2xx"
  echo "supervision table, one bank (16 connections):"
  BENCH_TOKEN=$bank wrk -t2 -c16 -d"${seconds}s" --latency -s bench/wrk_supervision.lua "$url" \
    | grep -E "Requests/sec|^ +(50|99)%|Non-2xx"
  echo "supervision table searched by an enterprise's name, staff (16 connections):"
  BENCH_TOKEN=$staff wrk -t2 -c16 -d"${seconds}s" --latency -s bench/wrk_supervision_search.lua "$url" \
    | grep -E "Requests/sec|^ +(50|99)%|Non-2xx"
  "$bench" --url "$url" --database-url "$db" statistics --runs 5 --token "$staff"
  echo "   server RSS $(awk '/VmRSS/ {printf "%.0f MB", $2/1024}' /proc/$pid/status)"
  kill $pid; wait $pid 2>/dev/null || true
}

echo "== SQLite"
run_on "sqlite://$work/financing.db" 18097
if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  dbname="idp_financing_bench_$$"
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $dbname"
  echo "== PostgreSQL"
  run_on "postgres://postgres@127.0.0.1:5432/$dbname" 18098
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE $dbname WITH (FORCE)"
fi
