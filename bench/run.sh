#!/usr/bin/env bash
# Benchmarks the identity provider on a release build, on SQLite and (when reachable)
# PostgreSQL: client_credentials, introspection, refresh_token (a rotation chain per
# connection, with wrk and with nx-bench), whole logins, and raw argon2id verifications before
# and after them for comparison; the server's resident memory after each. The default keys (ID
# tokens RS256, access tokens ES256) on both databases, and everything in ES256 on SQLite.
# Usage: bench/run.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
connections=${2:-64}
cargo build --release -p idp -p nx-bench
idp=target/release/idp
bench=target/release/nx-bench
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

run_on() {
  local db=$1 port=$2 id_alg=$3 access_alg=$4
  "$idp" --database-url "$db" demo >/dev/null
  IDP__TOKENS__SIGNING_ALGORITHM=$id_alg IDP__TOKENS__ACCESS_TOKEN_ALGORITHM=$access_alg \
    RUST_LOG=warn "$idp" --database-url "$db" serve \
    --listen "127.0.0.1:$port" --issuer "http://127.0.0.1:$port" &
  local pid=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
  if command -v wrk >/dev/null; then
    # wrk costs the shared CPU far less than the Rust load generator: closer to the server's
    # own capacity for the two stateless endpoints.
    local creds id secret token
    creds=$("$idp" --database-url "$db" client add --name wrk --scope "catalogue:enterprise:write" \
      --grant client_credentials --json)
    id=$(echo "$creds" | python3 -c 'import json,sys; print(json.load(sys.stdin)["client_id"])')
    secret=$(echo "$creds" | python3 -c 'import json,sys; print(json.load(sys.stdin)["client_secret"])')
    token=$(curl -s -u "$id:$secret" -d grant_type=client_credentials "http://127.0.0.1:$port/token" \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
    echo "wrk client_credentials:"
    BENCH_CLIENT_ID=$id BENCH_CLIENT_SECRET=$secret BENCH_BODY="grant_type=client_credentials" \
      wrk -t2 -c"$connections" -d"${seconds}s" --latency -s bench/wrk_post.lua "http://127.0.0.1:$port/token" \
      | grep -E "Requests/sec|^ +(50|99)%|Non-2xx"
    echo "wrk introspect:"
    BENCH_CLIENT_ID=$id BENCH_CLIENT_SECRET=$secret BENCH_BODY="token=$token" \
      wrk -t2 -c"$connections" -d"${seconds}s" --latency -s bench/wrk_post.lua "http://127.0.0.1:$port/introspect" \
      | grep -E "Requests/sec|^ +(50|99)%|Non-2xx"
    # One wrk thread per connection, each with its own refresh chain (bench/wrk_refresh.lua).
    "$bench" --url "http://127.0.0.1:$port" --database-url "$db" --connections "$connections" \
      seed-refresh > "$work/seed-$port.txt"
    echo "wrk refresh_token (a chain per connection):"
    BENCH_SEED="$work/seed-$port.txt" wrk -t"$connections" -c"$connections" -d"${seconds}s" --latency \
      -s bench/wrk_refresh.lua "http://127.0.0.1:$port" | grep -E "Requests/sec|^ +(50|99)%|Non-2xx|refused"
  fi
  # Raw argon2 before and after the logins: on a shared VM the rate drifts by ±10 % between
  # runs, so the logins are compared with the higher (the conservative ratio).
  for what in client-credentials introspect refresh argon2 login argon2; do
    "$bench" --url "http://127.0.0.1:$port" --database-url "$db" --seconds "$seconds" \
      --connections "$connections" "$what"
    echo "   server RSS $(ps -o rss= -p $pid | awk '{printf "%.0f MB", $1/1024}')"
  done
  kill $pid; wait $pid 2>/dev/null || true
}

echo "== SQLite, default keys (ID tokens RS256, access tokens ES256)"
run_on "sqlite://$work/bench-default.db" 18080 RS256 ES256
echo "== SQLite, ES256 for both"
run_on "sqlite://$work/bench-es256.db" 18082 ES256 ES256
if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  dbname="idp_bench_$$"
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $dbname"
  echo "== PostgreSQL, default keys (ID tokens RS256, access tokens ES256)"
  run_on "postgres://postgres@127.0.0.1:5432/$dbname" 18081 RS256 ES256
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE $dbname WITH (FORCE)"
fi
