#!/usr/bin/env bash
# Benchmarks financing data query and risk monitoring on a release build, on SQLite and (when
# reachable) PostgreSQL, with 1,000,000 bridge-loan catalogue records over 22 counties and 24
# months and the financing benchmark's 200,000 bridge loans: a crosstab (region × month, sum
# and count), a saved select query's first page, and evaluating every risk indicator.
# Usage: bench/query.sh [records] [bridges]
set -euo pipefail
cd "$(dirname "$0")/.."
records=${1:-1000000}
bridges=${2:-200000}
cargo build --release -p idp -p nx-bench
idp=target/release/idp
bench=target/release/nx-query-bench
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

run_on() {
  local db=$1 port=$2
  local url="http://127.0.0.1:$port"
  RUST_LOG=warn "$idp" --database-url "$db" serve --listen "127.0.0.1:$port" --issuer "$url" &
  local pid=$!
  for _ in $(seq 1 100); do curl -fs "$url/readyz" >/dev/null && break; sleep 0.1; done
  RUST_LOG=warn "$idp" --database-url "$db" demo >/dev/null
  echo "seeding $records catalogue records and $bridges bridge loans:"
  "$bench" --url "$url" --database-url "$db" seed --records "$records"
  target/release/nx-financing-bench --url "$url" --database-url "$db" seed --bridges "$bridges"
  local staff
  staff=$("$bench" --url "$url" --database-url "$db" tokens | sed -n 's/^STAFF=//p')
  "$bench" --url "$url" --database-url "$db" measure --token "$staff"
  echo "   server RSS $(awk '/VmRSS/ {printf "%.0f MB", $2/1024}' /proc/$pid/status)"
  kill $pid; wait $pid 2>/dev/null || true
}

echo "== SQLite"
run_on "sqlite://$work/query.db" 18101
if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  dbname="idp_query_bench_$$"
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $dbname"
  echo "== PostgreSQL"
  run_on "postgres://postgres@127.0.0.1:5432/$dbname" 18102
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE $dbname WITH (FORCE)"
fi
