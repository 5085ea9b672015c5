#!/usr/bin/env bash
# Two idp instances on one PostgreSQL database behind nginx, on this machine: the layout of
# deploy/nginx.conf and deploy/idp.service, for trying it and for the tests.
#
#   deploy/two-instances.sh start          PostgreSQL (started if stopped), the database,
#                                          instances a and b, nginx; waits until ready
#   deploy/two-instances.sh stop-instance a|b   stops one instance (SIGTERM: it finishes what
#                                          it is serving)
#   deploy/two-instances.sh start-instance a|b
#   deploy/two-instances.sh stop           stops everything
#
# Environment: IDP_BIN (default target/release/idp), DATABASE_URL (default
# postgres://postgres@127.0.0.1:5432/idp, created if missing), PUBLIC_PORT (8080), PORT_A
# (8081), PORT_B (8082), STATE_DIR (deploy/.state: pids, logs, nginx's files).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
IDP_BIN=${IDP_BIN:-$here/../target/release/idp}
DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/idp}
PUBLIC_PORT=${PUBLIC_PORT:-8080}
PORT_A=${PORT_A:-8081}
PORT_B=${PORT_B:-8082}
STATE_DIR=${STATE_DIR:-$here/.state}
mkdir -p "$STATE_DIR"

wait_for() {
  for _ in $(seq 1 100); do
    curl -fs "$1" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "not ready: $1" >&2
  return 1
}

start_instance() {
  local name=$1 port
  port=$([ "$name" = a ] && echo "$PORT_A" || echo "$PORT_B")
  IDP__DATABASE__URL="$DATABASE_URL" "$IDP_BIN" --log-format json serve \
    --listen "127.0.0.1:$port" --issuer "http://127.0.0.1:$PUBLIC_PORT" \
    >>"$STATE_DIR/$name.log" 2>&1 &
  echo $! >"$STATE_DIR/$name.pid"
  wait_for "http://127.0.0.1:$port/readyz"
}

stop_pid() {
  local file=$1
  [ -f "$file" ] || return 0
  local pid
  pid=$(cat "$file")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  rm -f "$file"
}

case "${1:-}" in
  start)
    if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
      for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
    fi
    database=${DATABASE_URL##*/}
    database=${database%%\?*}
    admin=${DATABASE_URL%/*}/postgres
    if ! psql "$admin" -tAc "SELECT 1 FROM pg_database WHERE datname = '$database'" | grep -q 1; then
      psql "$admin" -qc "CREATE DATABASE \"$database\""
    fi
    "$IDP_BIN" --database-url "$DATABASE_URL" migrate
    start_instance a
    start_instance b
    user_line=""
    [ "$(id -u)" = 0 ] && user_line="user root;"
    sed -e "s|@STATE@|$STATE_DIR|g" -e "s|@PORT_A@|$PORT_A|g" -e "s|@PORT_B@|$PORT_B|g" \
      -e "s|@PUBLIC_PORT@|$PUBLIC_PORT|g" -e "s|@USER@|$user_line|" \
      "$here/nginx.conf" >"$STATE_DIR/nginx.conf"
    nginx -p "$STATE_DIR" -c "$STATE_DIR/nginx.conf" >>"$STATE_DIR/nginx-error.log" 2>&1 &
    wait_for "http://127.0.0.1:$PUBLIC_PORT/readyz"
    echo "ready: http://127.0.0.1:$PUBLIC_PORT (instances on $PORT_A and $PORT_B)"
    ;;
  stop-instance) stop_pid "$STATE_DIR/${2:?a or b}.pid" ;;
  start-instance) start_instance "${2:?a or b}" ;;
  stop)
    stop_pid "$STATE_DIR/a.pid"
    stop_pid "$STATE_DIR/b.pid"
    if [ -f "$STATE_DIR/nginx.pid" ]; then
      kill -QUIT "$(cat "$STATE_DIR/nginx.pid")" 2>/dev/null || true
    fi
    ;;
  *)
    sed -n '2,14p' "$0"
    exit 2
    ;;
esac
