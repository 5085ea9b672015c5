#!/usr/bin/env bash
# Benchmarks shared carrier resources and the portal on a release build, on SQLite and (when
# reachable) PostgreSQL, with 2,000 carriers, 50,000 resources and 1,000,000 bookings: a random
# resource's page with its week of free slots, and the portal's home page (wrk, 16 connections).
# Usage: bench/resources.sh [carriers] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
carriers=${1:-2000}
seconds=${2:-10}
cargo build --release -p idp
idp=target/release/idp
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)"; exit 1; }
command -v sqlite3 >/dev/null || { echo "sqlite3 is needed (apt-get install sqlite3)"; exit 1; }
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
# The China midnight of today.
today=$(( ( ($(date +%s) + 28800) / 86400 ) * 86400 - 28800 ))
seed_sql() { sed -e "s/:carriers/$carriers/g" -e "s/:today/$today/g" bench/resources_seed.sql; }
export BENCH_RESOURCES=$((carriers * 25))

measure() {
  local url=$1
  echo "a resource's week of free slots, its page (16 connections):"
  wrk -t2 -c16 -d"${seconds}s" --latency -s bench/wrk_resource_week.lua "$url" \
    | grep -E "Requests/sec|^ +(50|99)%|Non-2xx"
  echo "the portal's home page (16 connections):"
  wrk -t2 -c16 -d"${seconds}s" --latency "$url/" | grep -E "Requests/sec|^ +(50|99)%|Non-2xx"
}

start() {
  local db=$1 port=$2
  RUST_LOG=warn "$idp" --database-url "$db" serve --listen "127.0.0.1:$port" --issuer "http://127.0.0.1:$port" &
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
  RUST_LOG=warn "$idp" --database-url "$db" demo >/dev/null
}

echo "== SQLite"
file="$work/resources.db"
start "sqlite://$file" 18097
echo "seeding $carriers carriers, $((carriers * 25)) resources, $((carriers * 500)) bookings"
time (seed_sql | sqlite3 "$file" && sqlite3 "$file" "ANALYZE;")
measure "http://127.0.0.1:18097"
kill %1; wait 2>/dev/null || true

if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  dbname="idp_resources_bench_$$"
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $dbname"
  echo "== PostgreSQL"
  start "postgres://postgres@127.0.0.1:5432/$dbname" 18098
  time (seed_sql | psql -h 127.0.0.1 -U postgres -q -v ON_ERROR_STOP=1 "$dbname" && psql -h 127.0.0.1 -U postgres -qc "VACUUM ANALYZE" "$dbname")
  measure "http://127.0.0.1:18098"
  kill %1; wait 2>/dev/null || true
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE $dbname WITH (FORCE)"
fi
