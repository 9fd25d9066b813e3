#!/usr/bin/env bash
# A three-node livescore cluster on this machine, behind nginx: a throwaway PostgreSQL (the one
# shared event log), three nodes on it and nginx as the load balancer, all on 127.0.0.1 only.
# Used by `make cluster-demo` (runs until Ctrl-C) and `make cluster-check` (--check: starts it
# all, checks it through nginx, kills a node with SIGKILL, checks a viewer resumes on another
# without a gap or a duplicate, cleans up; exit status 1 on any failure).
#
# As root it installs what is missing from Debian's packages (postgresql, nginx) with apt-get
# and runs PostgreSQL as the `postgres` user (initdb refuses root). docs/cluster.md explains the
# design and annotates the nginx configuration this writes.
#
# Environment: LB_PORT (8080), NODE_PORTS ("8081 8082 8083"), SPEED (generator, 10), and
# LIVESCORE_BIN (default: target/release/livescore, built here; --check: target/debug/livescore).
# --check picks free ports unless LB_PORT / NODE_PORTS are given.
set -euo pipefail
cd "$(dirname "$0")/.."

CHECK=0
case "${1:-}" in
  --check) CHECK=1 ;;
  "") ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

say() { printf '%s\n' "$*"; }
die() { printf 'cluster-demo: %s\n' "$*" >&2; exit 1; }

# free_ports, need_package, need_nginx
. scripts/lib.sh

# ---------------------------------------------------------------------------------- settings
if [ "$CHECK" -eq 1 ]; then
  read -r -a FREE <<<"$(free_ports 5)"
  LB_PORT="${LB_PORT:-${FREE[0]}}"
  NODE_PORTS="${NODE_PORTS:-${FREE[1]} ${FREE[2]} ${FREE[3]}}"
  PG_PORT="${FREE[4]}"
  # Fast enough that the calendar has something to say at any hour (a quiet morning at 60x
  # can pass 15 s without an event).
  SPEED="${SPEED:-600}"
  BIN="${LIVESCORE_BIN:-target/debug/livescore}"
  [ -n "${LIVESCORE_BIN:-}" ] || cargo build --locked --quiet --bin livescore
else
  LB_PORT="${LB_PORT:-8080}"
  NODE_PORTS="${NODE_PORTS:-8081 8082 8083}"
  SPEED="${SPEED:-10}"
  BIN="${LIVESCORE_BIN:-target/release/livescore}"
  [ -n "${LIVESCORE_BIN:-}" ] || cargo build --release --locked --quiet --bin livescore
fi
[ -x "$BIN" ] || die "no livescore binary at $BIN"
BIN="$(realpath "$BIN")"
read -r -a PORTS <<<"$NODE_PORTS"
[ "${#PORTS[@]}" -ge 2 ] || die "NODE_PORTS needs at least two ports (got: $NODE_PORTS)"
LB="http://127.0.0.1:$LB_PORT"
TOKEN="cluster-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"

command -v curl >/dev/null || need_package curl curl
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_package postgresql "PostgreSQL's initdb"
PGBIN="$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n1)")"
NGINX="$(need_nginx)"

# -------------------------------------------------------------------------- start and stop
TMP="$(mktemp -d /tmp/livescore-cluster.XXXXXX)"
chmod 755 "$TMP"
AS_PG=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || die "no postgres user: reinstall Debian's postgresql package"
  AS_PG=(runuser -u postgres --)
fi
mkdir -p "$TMP/pg"
[ "$(id -u)" -ne 0 ] || chown postgres: "$TMP/pg"
declare -A NODE_PID=()
NGINX_PID=
PG_STARTED=0
VIEWER_PIDS=()

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in "${VIEWER_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for port in "${!NODE_PID[@]}"; do kill "${NODE_PID[$port]}" 2>/dev/null || true; done
  [ -z "$NGINX_PID" ] || kill -QUIT "$NGINX_PID" 2>/dev/null || true
  for port in "${!NODE_PID[@]}"; do wait "${NODE_PID[$port]}" 2>/dev/null || true; done
  [ -z "$NGINX_PID" ] || wait "$NGINX_PID" 2>/dev/null || true
  if [ "$PG_STARTED" -eq 1 ]; then
    "${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$TMP/pg/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  if [ "$status" -ne 0 ] && [ "${KEEP_LOGS:-0}" -eq 1 ]; then
    say "logs kept in $TMP"
  else
    rm -rf "$TMP"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Until `check`: the logs of whatever failed, then exit 1.
fail() {
  printf 'FAIL: %s\n' "$*" >&2
  for f in "$TMP"/node*.log "$TMP/nginx/error.log"; do
    [ -s "$f" ] && { printf -- '--- %s (last lines)\n' "${f#"$TMP"/}" >&2; tail -n 15 "$f" >&2; }
  done
  exit 1
}

trap 'fail "line $LINENO of $0: a command failed"' ERR

wait_for() { # <url> <what>
  for _ in $(seq 100); do
    curl -sf -o /dev/null --max-time 1 "$1" && return 0
    for port in "${!NODE_PID[@]}"; do
      kill -0 "${NODE_PID[$port]}" 2>/dev/null || fail "the node on port $port exited"
    done
    sleep 0.1
  done
  fail "$2 did not answer at $1"
}

# PostgreSQL: a cluster in $TMP, on a free loopback port, its socket in $TMP too.
PG_PORT="${PG_PORT:-$(free_ports 1)}"
"${AS_PG[@]}" "$PGBIN/initdb" -D "$TMP/pg/data" -A trust -U postgres --no-sync >/dev/null \
  || die "initdb failed"
"${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$TMP/pg/data" -w -l "$TMP/pg/server.log" \
  -o "-p $PG_PORT -k $TMP/pg -c listen_addresses=127.0.0.1" start >/dev/null \
  || { cat "$TMP/pg/server.log" >&2; die "PostgreSQL did not start"; }
PG_STARTED=1
"$PGBIN/psql" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -c 'CREATE DATABASE livescore' \
  || die "cannot create the livescore database"
DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/livescore"

# The nodes: one stream in PostgreSQL, one admin token, the generator on every node. Behind
# nginx every viewer has nginx's address, so the per-address viewer cap is off
# (--max-viewers-per-ip 0): at its default of 256 the 257th viewer of the whole site would be
# refused. The public URL is nginx's, so the admin console's WebSocket passes the origin check.
start_node() { # <index> <port>
  LIVESCORE_ADMIN_TOKENS="demo:$TOKEN" LIVESCORE_DATABASE_URL="$DATABASE_URL" \
    "$BIN" --bind "127.0.0.1:$2" --node-name "node$1" --speed "$SPEED" \
    --public-url "$LB" --max-viewers-per-ip 0 >"$TMP/node$1.log" 2>&1 &
  NODE_PID[$2]=$!
}
i=0
for port in "${PORTS[@]}"; do i=$((i + 1)); start_node "$i" "$port"; done

# nginx: the load balancer, from the configuration docs/cluster.md annotates.
mkdir -p "$TMP/nginx/tmp"
NGINX_USER=""
if [ "$(id -u)" -eq 0 ]; then
  NGINX_USER="user nobody nogroup;"
  chown nobody:nogroup "$TMP/nginx/tmp"
fi
{
  cat <<EOF
# Written by scripts/cluster-demo.sh; see docs/cluster.md for every line.
$NGINX_USER
worker_processes 1;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 4096; }

http {
    access_log off;
    client_body_temp_path $TMP/nginx/tmp/body;
    proxy_temp_path $TMP/nginx/tmp/proxy;
    fastcgi_temp_path $TMP/nginx/tmp/fastcgi;
    uwsgi_temp_path $TMP/nginx/tmp/uwsgi;
    scgi_temp_path $TMP/nginx/tmp/scgi;
    client_body_buffer_size 128k;

    # Round robin over every node, no sticky sessions: any node serves any viewer's resume.
    # A node that refuses a connection is left out for fail_timeout.
    upstream livescore {
EOF
  for port in "${PORTS[@]}"; do
    printf '        server 127.0.0.1:%s max_fails=1 fail_timeout=5s;\n' "$port"
  done
  cat <<EOF
        keepalive 32;
    }

    map \$http_upgrade \$connection_upgrade {
        default upgrade;
        ''      '';
    }

    server {
        listen 127.0.0.1:$LB_PORT;

        proxy_http_version 1.1;
        proxy_set_header Host \$host;
        proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto \$scheme;
        # Set once here and in no location: a location with a proxy_set_header of its own drops
        # all of these. An empty Connection keeps upstream connections alive; upgrades pass.
        proxy_set_header Upgrade \$http_upgrade;
        proxy_set_header Connection \$connection_upgrade;
        proxy_connect_timeout 2s;
        # Try the next node when one cannot be reached. nginx never resends a POST that reached
        # a node (it may have committed), unless told to with non_idempotent.
        proxy_next_upstream error timeout;
        proxy_next_upstream_tries 3;
        # Demo only: which node answered, so the check can kill the one a viewer is on.
        add_header X-Upstream \$upstream_addr always;

        # SSE: no buffering, a persistent upstream connection, streams that stay open.
        location = /events {
            proxy_pass http://livescore;
            proxy_buffering off;
            proxy_cache off;
            proxy_read_timeout 1h;
            proxy_send_timeout 1h;
        }

        # Viewer and admin WebSockets.
        location /ws/ {
            proxy_pass http://livescore;
            proxy_read_timeout 1h;
            proxy_send_timeout 1h;
        }

        # Long-poll: held up to --max-poll-wait (60 s) before answering.
        location = /api/events {
            proxy_pass http://livescore;
            proxy_read_timeout 90s;
        }

        location / {
            proxy_pass http://livescore;
        }
    }
}
EOF
} >"$TMP/nginx/nginx.conf"
"$NGINX" -t -q -p "$TMP/nginx" -e "$TMP/nginx/error.log" -c "$TMP/nginx/nginx.conf" \
  || fail "nginx refused its configuration"
"$NGINX" -p "$TMP/nginx" -e "$TMP/nginx/error.log" -c "$TMP/nginx/nginx.conf" -g 'daemon off;' &
NGINX_PID=$!

for port in "${PORTS[@]}"; do wait_for "http://127.0.0.1:$port/healthz" "node on port $port"; done
wait_for "$LB/healthz" "nginx"

# ------------------------------------------------------------------------------------ demo
if [ "$CHECK" -eq 0 ]; then
  cat <<EOF

A livescore cluster is running: PostgreSQL on 127.0.0.1:$PG_PORT, ${#PORTS[@]} nodes, nginx on $LB.

  dashboard      $LB/
  admin console  $LB/admin      admin token: $TOKEN
  health         curl -s $LB/healthz   (ask a few times: round robin)
  events         curl -N $LB/events

The nodes (each has the generator on, and the same admin token):
EOF
  i=0
  for port in "${PORTS[@]}"; do
    i=$((i + 1))
    printf '  node%s  http://127.0.0.1:%s  pid %s   stop it: kill %s   (or kill -9 %s)\n' \
      "$i" "$port" "${NODE_PID[$port]}" "${NODE_PID[$port]}" "${NODE_PID[$port]}"
  done
  cat <<EOF

Kill a node and watch the dashboard: its viewers reconnect through nginx to another node and
resume from their Last-Event-ID, with no gap and no duplicate. A curl viewer shows it too:
  curl -sN -D - $LB/events | grep -E '^(X-Upstream|id):'
then kill the node X-Upstream names, and resume with the last id it printed:
  curl -sN -H 'Last-Event-ID: <that id>' $LB/events | grep '^id:'
Logs: $TMP (removed on exit). Ctrl-C stops everything.
EOF
  wait "$NGINX_PID"
  exit 0
fi

# ----------------------------------------------------------------------------------- check
STARTED_AT=$SECONDS
ok() { printf 'ok    %s\n' "$*"; }

# Complete SSE frames of a recorded stream, one line each: "<seq> <event> <data>" (a frame counts
# once the blank line after it arrived, as a browser's EventSource dispatches it).
frames() {
  awk '
    /^id: /    { id = substr($0, 5) }
    /^event: / { ev = substr($0, 8) }
    /^data: /  { data = substr($0, 7) }
    /^$/ { if (id != "") { n = split(id, p, "."); print p[n], ev, data }; id = ""; ev = ""; data = "" }
  ' "$1"
}
last_id() { awk '/^id: / { id = substr($0, 5) } /^$/ { if (id != "") last = id; id = "" } END { print last }' "$1"; }
upstream_of() { tr -d '\r' <"$1" | awk 'tolower($1) == "x-upstream:" { print $2 }' | tail -n1; }

# Wait until <file> holds <n> complete frames after its first, or fail.
wait_frames() { # <file> <n> <what>
  for _ in $(seq 150); do
    [ "$(frames "$1" | wc -l)" -gt "$2" ] && return 0
    sleep 0.1
  done
  fail "$3: fewer than $2 events in 15 s"
}

# Seqs of <file>'s frames after the first are consecutive from <first>.
consecutive() { # <file> <first expected seq>
  frames "$1" | tail -n +2 | awk -v want="$2" '
    { if ($1 != want) { printf "expected seq %d, got %d (%s)\n", want, $1, $2; exit 1 }; want++ }'
}

# 1. Every node and nginx answer.
health="$(curl -sf --max-time 2 "$LB/healthz")" || fail "/healthz through nginx"
grep -q '"status":"ok"' <<<"$health" || fail "/healthz through nginx says: $health"
ok "/healthz through nginx: $health"

# 2. An SSE viewer through nginx: a snapshot, then live events.
curl -sN -D "$TMP/sse1.headers" "$LB/events" >"$TMP/sse1.out" 2>/dev/null &
VIEWER_PIDS+=($!)
wait_frames "$TMP/sse1.out" 3 "SSE through nginx"
first="$(frames "$TMP/sse1.out" | sed -n 1p)"
[ "$(cut -d' ' -f2 <<<"$first")" = snapshot ] || fail "the stream did not open with a snapshot: $first"
snap_seq="$(cut -d' ' -f1 <<<"$first")"
consecutive "$TMP/sse1.out" "$((snap_seq + 1))" >"$TMP/why" || fail "SSE through nginx: $(cat "$TMP/why")"
viewer_node="$(upstream_of "$TMP/sse1.headers")"
[ -n "$viewer_node" ] || fail "no X-Upstream header on the SSE response"
ok "SSE through nginx (served by $viewer_node): snapshot at seq $snap_seq, then live events in order"

# 3. An admin command through nginx: acked, and on the stream (whichever node took it).
headline="cluster-check $(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
reply="$(curl -s --max-time 5 -D "$TMP/post.headers" -X POST -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' \
  -d "{\"type\":\"news.publish\",\"headline\":\"$headline\",\"tags\":[\"epl\"]}" \
  "$LB/api/admin/commands")" || fail "POST through nginx"
grep -q '"type":"ack"' <<<"$reply" || fail "POST through nginx was not acked: $reply"
ack_seq="$(grep -o '"seq":[0-9]*' <<<"$reply" | sed -n 1p | cut -d: -f2)"
for _ in $(seq 50); do
  frames "$TMP/sse1.out" | grep "^$ack_seq news .*$headline" >/dev/null && break
  sleep 0.1
done
frames "$TMP/sse1.out" | grep "^$ack_seq news .*$headline" >/dev/null \
  || fail "the acked command (seq $ack_seq) did not reach the SSE viewer within 5 s"
ok "POST through nginx (to $(upstream_of "$TMP/post.headers")) acked at seq $ack_seq and seen on the stream"

# 4. SIGKILL the node the viewer is on; resume through nginx with the last id it received.
victim_port="${viewer_node##*:}"
victim="${NODE_PID[$victim_port]:-}"
[ -n "$victim" ] || fail "X-Upstream $viewer_node is none of the nodes"
wait_frames "$TMP/sse1.out" "$(($(frames "$TMP/sse1.out" | wc -l) + 2))" "SSE before the kill"
kill -KILL "$victim"
wait "$victim" 2>/dev/null || true
unset "NODE_PID[$victim_port]"
for _ in $(seq 50); do kill -0 "${VIEWER_PIDS[0]}" 2>/dev/null || break; sleep 0.1; done
kill -0 "${VIEWER_PIDS[0]}" 2>/dev/null && fail "the SSE stream did not end when its node was killed"
resume="$(last_id "$TMP/sse1.out")"
last_seq="${resume##*.}"
consecutive "$TMP/sse1.out" "$((snap_seq + 1))" >"$TMP/why" || fail "SSE before the kill: $(cat "$TMP/why")"
ok "killed $viewer_node (pid $victim, SIGKILL): the stream ended after seq $last_seq"

# A browser waits the retry: delay (3 s) before reconnecting; one second is enough here.
sleep 1
curl -sN -D "$TMP/sse2.headers" -H "Last-Event-ID: $resume" "$LB/events" >"$TMP/sse2.out" 2>/dev/null &
VIEWER_PIDS+=($!)
wait_frames "$TMP/sse2.out" 3 "the resumed stream"
resumed_node="$(upstream_of "$TMP/sse2.headers")"
[ "$resumed_node" != "$viewer_node" ] || fail "nginx sent the resume to the killed node"
next="$(frames "$TMP/sse2.out" | sed -n 1p)"
[ "$(cut -d' ' -f2 <<<"$next")" != snapshot ] || fail "the resume got a snapshot, not a replay: $next"
[ "$(cut -d' ' -f1 <<<"$next")" = "$((last_seq + 1))" ] \
  || fail "the resume after seq $last_seq began at seq $(cut -d' ' -f1 <<<"$next")"
frames "$TMP/sse2.out" | awk -v want="$((last_seq + 1))" '
  { if ($1 != want) { printf "expected seq %d, got %d\n", want, $1; exit 1 }; want++ }' >"$TMP/why" \
  || fail "the resumed stream: $(cat "$TMP/why")"
ok "resumed through nginx on $resumed_node with Last-Event-ID $resume: seq $((last_seq + 1)) onwards, no gap, no duplicate"

# 5. With a node down: every request through nginx still answers, commands still commit.
for _ in 1 2 3 4 5 6; do
  curl -sf --max-time 3 -o /dev/null "$LB/healthz" || fail "/healthz through nginx with a node down"
done
reply="$(curl -s --max-time 5 -X POST -H "Authorization: Bearer $TOKEN" \
  -d '{"type":"news.publish","headline":"after the kill","tags":["epl"]}' "$LB/api/admin/commands")"
grep -q '"type":"ack"' <<<"$reply" || fail "POST through nginx with a node down: $reply"
ok "with a node down: /healthz answers 6 of 6 through nginx, a POST is acked"

say "cluster check passed: $((SECONDS - STARTED_AT)) s of checks, $SECONDS s in all (PostgreSQL, nginx and three nodes started and stopped)"
