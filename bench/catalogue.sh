#!/usr/bin/env bash
# Benchmarks the catalogue on a release build, on SQLite and (when reachable) PostgreSQL:
# ingesting 100,000 enterprise records over HTTP in batches of 1,000, looking records up by key
# at 100,000 rows, and importing a 100 MB CSV while watching the server's peak memory.
# Usage: bench/catalogue.sh [records] [csv-megabytes]
set -euo pipefail
cd "$(dirname "$0")/.."
records=${1:-100000}
megabytes=${2:-100}
cargo build --release -p idp -p nx-bench
idp=target/release/idp
bench=target/release/nx-catalogue-bench
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
"$bench" --database-url sqlite::memory: csv --out "$work/enterprise.csv" --megabytes "$megabytes"

run_on() {
  local db=$1 port=$2
  RUST_LOG=warn "$idp" --database-url "$db" serve --listen "127.0.0.1:$port" \
    --issuer "http://127.0.0.1:$port" &
  local pid=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
  local b=("$bench" --url "http://127.0.0.1:$port" --database-url "$db")
  "${b[@]}" ingest --records "$records" --prefix NEW
  # The same records again: every one is compared and found unchanged.
  "${b[@]}" ingest --records "$records" --prefix NEW
  echo "   server RSS $(awk '/VmRSS/ {printf "%.0f MB", $2/1024}' /proc/$pid/status)"
  "${b[@]}" lookup --records "$records" --prefix NEW
  if command -v wrk >/dev/null; then
    # wrk costs the shared CPU far less than the Rust load generator.
    local token
    token=$("${b[@]}" token)
    for c in 4 8 16; do
      echo "wrk lookup by key ($c connections):"
      BENCH_TOKEN=$token BENCH_RECORDS=$records wrk -t2 -c$c -d10s --latency \
        -s bench/wrk_lookup.lua "http://127.0.0.1:$port" | grep -E "Requests/sec|^ +(50|99)%|Non-2xx"
    done
  fi
  "${b[@]}" import --file "$work/enterprise.csv"
  echo "   server peak RSS $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' /proc/$pid/status)"
  kill $pid; wait $pid 2>/dev/null || true
}

echo "== SQLite"
run_on "sqlite://$work/catalogue.db" 18090
if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  dbname="idp_catalogue_bench_$$"
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $dbname"
  echo "== PostgreSQL"
  run_on "postgres://postgres@127.0.0.1:5432/$dbname" 18091
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE $dbname WITH (FORCE)"
fi
