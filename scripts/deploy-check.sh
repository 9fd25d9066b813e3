#!/usr/bin/env bash
# `make deploy-check`: the production set-up of docs/deploy.md, checked on this machine.
#
# Runs deploy/nginx.conf as written (only its ports, certificate and upstream address moved to
# a scratch directory, on 127.0.0.1) with a throwaway self-signed certificate, in front of
# livescore started with deploy/livescore.env, and checks through nginx over TLS:
#   - plain HTTP is sent to HTTPS;
#   - an SSE frame arrives while its stream is open (nothing buffers it);
#   - a resume with Last-Event-ID gets exactly the missed events, then live ones;
#   - the admin WebSocket (the `livescore admin` CLI, through socat for TLS) authenticates and
#     gets an ack;
#   - nginx's X-Forwarded-For reaches livescore's per-address viewer cap (--trusted-proxies);
# that systemd accepts deploy/livescore.service (`systemd-analyze verify`, when present), and
# that docs/deploy.md shows these three files as they are.
#
# As root it installs what is missing from Debian's packages (nginx, curl, openssl, socat).
# LIVESCORE_BIN picks the binary (default: target/debug/livescore, built here). Exit status 1
# on any failure, with the logs; KEEP_LOGS=1 keeps them.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '%s\n' "$*"; }
die() { printf 'deploy-check: %s\n' "$*" >&2; exit 1; }
# free_ports, need_package, need_nginx
. scripts/lib.sh

BIN="${LIVESCORE_BIN:-target/debug/livescore}"
[ -n "${LIVESCORE_BIN:-}" ] || cargo build --locked --quiet --bin livescore
[ -x "$BIN" ] || die "no livescore binary at $BIN"
BIN="$(realpath "$BIN")"
command -v curl >/dev/null || need_package curl curl
command -v openssl >/dev/null || need_package openssl openssl
command -v socat >/dev/null || need_package socat socat
NGINX="$(need_nginx)"

read -r LS_PORT HTTPS_PORT HTTP_PORT TUNNEL_PORT <<<"$(free_ports 4)"
TOKEN="deploy-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
HTTPS="https://localhost:$HTTPS_PORT"
TMP="$(mktemp -d /tmp/livescore-deploy.XXXXXX)"
chmod 755 "$TMP"
PIDS=()

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
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

fail() {
  printf 'FAIL: %s\n' "$*" >&2
  for f in "$TMP/livescore.log" "$TMP/nginx/error.log" "$TMP/socat.log"; do
    [ -s "$f" ] && { printf -- '--- %s (last lines)\n' "${f#"$TMP"/}" >&2; tail -n 15 "$f" >&2; }
  done
  exit 1
}
trap 'fail "line $LINENO of $0: a command failed"' ERR
ok() { printf 'ok    %s\n' "$*"; }

# ------------------------------------------------------------------------- the pieces
# A certificate for localhost, as Let's Encrypt's would be for the real name.
mkdir -p "$TMP/tls"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost -keyout "$TMP/tls/key.pem" -out "$TMP/tls/cert.pem" \
  >/dev/null 2>&1 || fail "openssl could not make a certificate"
CURL=(curl -s --cacert "$TMP/tls/cert.pem" --max-time 10)

# livescore as deploy/livescore.service starts it: the settings of deploy/livescore.env, with
# this run's port, URL, token and data directory, and at most one viewer per client address
# (to see nginx's X-Forwarded-For counted).
(
  set -a
  # shellcheck source=../deploy/livescore.env
  . deploy/livescore.env
  set +a
  unset LIVESCORE_ADMIN_TOKENS_FILE
  export LIVESCORE_BIND="127.0.0.1:$LS_PORT" LIVESCORE_PUBLIC_URL="$HTTPS" \
    LIVESCORE_ADMIN_TOKENS="deploy:$TOKEN" LIVESCORE_MAX_VIEWERS_PER_IP=1
  exec "$BIN" --data-dir "$TMP/data"
) >"$TMP/livescore.log" 2>&1 &
PIDS+=($!)
LIVESCORE_PID=$!

# nginx with deploy/nginx.conf: each line moved here must be there exactly as docs/deploy.md
# shows it, so the file checked is the file documented.
SITE=deploy/nginx.conf
moved() { # <fixed string> <times>
  [ "$(grep -cF -- "$1" "$SITE")" -eq "$2" ] || fail "$SITE no longer holds \`$1\` $2 time(s)"
}
moved 'server 127.0.0.1:8080;' 1
moved 'listen 80;' 1
moved 'listen [::]:80;' 1
moved 'listen 443 ssl http2;' 1
moved 'listen [::]:443 ssl http2;' 1
moved '/etc/letsencrypt/live/scores.example.com/fullchain.pem;' 1
moved '/etc/letsencrypt/live/scores.example.com/privkey.pem;' 1
mkdir -p "$TMP/nginx/tmp"
sed -e "s|server 127.0.0.1:8080;|server 127.0.0.1:$LS_PORT;|" \
    -e "s|listen 80;|listen 127.0.0.1:$HTTP_PORT;|" \
    -e "s|listen 443 ssl http2;|listen 127.0.0.1:$HTTPS_PORT ssl http2;|" \
    -e '/listen \[::\]:/d' \
    -e "s|/etc/letsencrypt/live/scores.example.com/fullchain.pem|$TMP/tls/cert.pem|" \
    -e "s|/etc/letsencrypt/live/scores.example.com/privkey.pem|$TMP/tls/key.pem|" \
    "$SITE" >"$TMP/nginx/livescore.conf"
NGINX_USER=""
if [ "$(id -u)" -eq 0 ]; then
  NGINX_USER="user nobody nogroup;"
  chown nobody:nogroup "$TMP/nginx/tmp"
fi
cat >"$TMP/nginx/nginx.conf" <<EOF
# What Debian's /etc/nginx/nginx.conf provides around a site, pointed at this scratch directory.
$NGINX_USER
worker_processes 1;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $TMP/nginx/tmp/body;
    proxy_temp_path $TMP/nginx/tmp/proxy;
    fastcgi_temp_path $TMP/nginx/tmp/fastcgi;
    uwsgi_temp_path $TMP/nginx/tmp/uwsgi;
    scgi_temp_path $TMP/nginx/tmp/scgi;
    # Compression for everything, event streams too, as a site-wide setting might have it: the
    # SSE location must still not be held back (it turns gzip off).
    gzip on;
    gzip_types text/plain text/css application/json application/javascript text/event-stream;
    include $TMP/nginx/livescore.conf;
}
EOF
"$NGINX" -t -q -p "$TMP/nginx" -e "$TMP/nginx/error.log" -c "$TMP/nginx/nginx.conf" \
  2>>"$TMP/nginx/error.log" || fail "nginx refused deploy/nginx.conf"
"$NGINX" -p "$TMP/nginx" -e "$TMP/nginx/error.log" -c "$TMP/nginx/nginx.conf" -g 'daemon off;' &
PIDS+=($!)

# The admin CLI speaks plain ws://; socat carries it over TLS to nginx, as a browser's wss:// is.
socat "TCP-LISTEN:$TUNNEL_PORT,bind=127.0.0.1,reuseaddr,fork" \
  "OPENSSL:127.0.0.1:$HTTPS_PORT,cafile=$TMP/tls/cert.pem,commonname=localhost" \
  2>"$TMP/socat.log" &
PIDS+=($!)

for _ in $(seq 100); do
  "${CURL[@]}" -f -o /dev/null "$HTTPS/healthz" && break
  kill -0 "$LIVESCORE_PID" 2>/dev/null || fail "livescore exited"
  sleep 0.1
done
health="$("${CURL[@]}" -f "$HTTPS/healthz")" || fail "/healthz through nginx over TLS"
ok "livescore (deploy/livescore.env) behind nginx (deploy/nginx.conf) over TLS: $health"

# ------------------------------------------------------------------------------ checks
STARTED_AT=$SECONDS

# Complete SSE frames of a recorded stream, one line each: "<seq> <event> <data>".
frames() {
  awk '
    /^id: /    { id = substr($0, 5) }
    /^event: / { ev = substr($0, 8) }
    /^data: /  { data = substr($0, 7) }
    /^$/ { if (id != "") { n = split(id, p, "."); print p[n], ev, data }; id = ""; ev = ""; data = "" }
  ' "$1"
}
wait_frames() { # <file> <n> <what>: wait until <file> holds <n> complete frames
  for _ in $(seq 100); do
    [ "$(frames "$1" | wc -l)" -ge "$2" ] && return 0
    sleep 0.1
  done
  fail "$3: fewer than $2 frames in 10 s: $(tail -c 300 "$1")"
}
viewer() { # <output file> <source address> [curl options...]: an SSE viewer through nginx
  local out="$1" from="$2"
  shift 2
  "${CURL[@]}" --max-time 60 -N --compressed --interface "$from" -D "$out.headers" "$@" \
    "$HTTPS/events?types=news" >"$out" 2>/dev/null &
  PIDS+=($!)
}
publish() { # <headline>: news.publish over HTTPS; prints the ack's seq
  local reply
  reply="$("${CURL[@]}" -X POST -H "Authorization: Bearer $TOKEN" \
    -d "{\"type\":\"news.publish\",\"headline\":\"$1\",\"tags\":[\"epl\"]}" \
    "$HTTPS/api/admin/commands")"
  grep -q '"type":"ack"' <<<"$reply" || fail "news.publish through nginx: $reply"
  grep -o '"seq":[0-9]*' <<<"$reply" | cut -d: -f2
}

# 1. Plain HTTP is redirected to HTTPS.
redirect="$(curl -s --max-time 5 -o /dev/null -w '%{http_code} %{redirect_url}' \
  "http://localhost:$HTTP_PORT/events")"
[[ "$redirect" == "301 https://localhost/events" ]] || fail "http:// answered: $redirect"
ok "http:// is redirected to https:// ($redirect)"

# 2. The admin WebSocket through nginx: authenticated, the command acked.
admin_out="$(LIVESCORE_TOKEN="$TOKEN" "$BIN" admin --url "ws://127.0.0.1:$TUNNEL_PORT/ws/admin" \
  '{"type":"news.publish","headline":"deploy-check over the admin WebSocket","tags":["epl"]}' \
  2>"$TMP/admin.err")" || fail "livescore admin through nginx: $(cat "$TMP/admin.err") $admin_out"
grep -q 'authenticated as deploy' "$TMP/admin.err" || fail "no ready frame: $(cat "$TMP/admin.err")"
grep -q '"type":"ack"' <<<"$admin_out" || fail "the command was not acked: $admin_out"
ok "admin WebSocket (wss:// through nginx): authenticated as deploy, command acked: $admin_out"

# 3. A viewer gets an event while its stream is open: nothing between buffers it.
viewer "$TMP/sse1" 127.0.0.11
VIEWER1=$!
wait_frames "$TMP/sse1" 1 "the first SSE viewer"
[ "$(frames "$TMP/sse1" | sed -n 1p | cut -d' ' -f2)" = snapshot ] || fail "no snapshot first"
grep -qi '^content-type: text/event-stream' "$TMP/sse1.headers" || fail "not an event stream"
seq1="$(publish "deploy-check live one")"
for _ in $(seq 50); do
  frames "$TMP/sse1" | grep -q "^$seq1 news " && break
  sleep 0.1
done
frames "$TMP/sse1" | grep -q "^$seq1 news " \
  || fail "the event at seq $seq1 did not reach the open stream within 5 s (buffered?)"
kill -0 "$VIEWER1" 2>/dev/null || fail "the SSE stream ended"
ok "SSE through nginx: the event at seq $seq1 arrived while the stream was open"

# 4. The viewer goes; three events happen; it resumes with Last-Event-ID and gets exactly them,
#    then live ones.
kill "$VIEWER1"
stream="$(grep -o '"stream":"[^"]*"' <<<"$health" | cut -d'"' -f4)"
missed=()
for n in 1 2 3; do missed+=("$(publish "deploy-check missed $n")"); done
viewer "$TMP/sse2" 127.0.0.12 -H "Last-Event-ID: $stream.$seq1"
wait_frames "$TMP/sse2" 3 "the resumed viewer"
live="$(publish "deploy-check after the resume")"
wait_frames "$TMP/sse2" 4 "the resumed viewer, live"
got="$(frames "$TMP/sse2" | awk '{ print $1 }' | tr '\n' ' ')"
want="${missed[*]} $live "
[ "$got" = "$want" ] || fail "resumed after seq $seq1: got seqs $got, expected $want"
ok "resume through nginx with Last-Event-ID $stream.$seq1: exactly seqs ${missed[*]}, then live $live"

# 5. X-Forwarded-For from nginx names each client: one viewer per address (the cap is 1),
#    counted per client behind nginx, not for nginx as a whole.
viewer "$TMP/xff-a" 127.0.0.2
viewer "$TMP/xff-b" 127.0.0.3
wait_frames "$TMP/xff-a" 1 "a viewer from 127.0.0.2"
wait_frames "$TMP/xff-b" 1 "a viewer from 127.0.0.3"
second="$("${CURL[@]}" --interface 127.0.0.2 -o /dev/null -w '%{http_code}' "$HTTPS/events")" || true
[ "$second" = 503 ] || fail "a second viewer from 127.0.0.2 got $second, not 503"
ok "X-Forwarded-For: 127.0.0.2 and 127.0.0.3 each hold a viewer; a second from 127.0.0.2 gets 503"

# 6. systemd accepts the unit as written (its binary and settings file pointed here).
if command -v systemd-analyze >/dev/null; then
  mkdir -p "$TMP/unit"
  sed -e "s|^ExecStart=/usr/local/bin/livescore|ExecStart=$BIN|" \
      -e "s|^EnvironmentFile=.*|EnvironmentFile=$PWD/deploy/livescore.env|" \
      deploy/livescore.service >"$TMP/unit/livescore.service"
  verdict="$(systemd-analyze verify "$TMP/unit/livescore.service" 2>&1)" \
    || fail "systemd-analyze verify: $verdict"
  [ -z "$verdict" ] || fail "systemd-analyze verify: $verdict"
  ok "systemd-analyze verify deploy/livescore.service: no complaints"
else
  say "skip  systemd-analyze is not installed: deploy/livescore.service not verified"
fi

# 7. The configuration docs/deploy.md shows is these files, byte for byte.
block() { # <fence language>: the first such fenced block of docs/deploy.md
  awk -v lang="$1" '$0 == "```" lang { on = 1; next } on && $0 == "```" { exit } on' docs/deploy.md
}
for pair in nginx:deploy/nginx.conf ini:deploy/livescore.service env:deploy/livescore.env; do
  diff <(block "${pair%%:*}") "${pair#*:}" >"$TMP/doc.diff" \
    || fail "docs/deploy.md's \`\`\`${pair%%:*} block differs from ${pair#*:}: $(head -n 20 "$TMP/doc.diff")"
done
ok "docs/deploy.md shows deploy/nginx.conf, deploy/livescore.service and deploy/livescore.env as they are"

say "deploy check passed: $((SECONDS - STARTED_AT)) s of checks, $SECONDS s in all"
