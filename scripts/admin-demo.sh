#!/usr/bin/env bash
# Drive a short scripted match through the `livescore admin` CLI against a fresh server, with an
# SSE viewer printing what browsers would receive. Used by `make admin-demo`.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${PORT:-8090}"
BASE="http://127.0.0.1:$PORT"
BIN=./target/release/livescore
TOKEN="demo-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"

cargo build --release --locked --quiet
LIVESCORE_ADMIN_TOKENS="demo:$TOKEN" "$BIN" --bind "127.0.0.1:$PORT" --no-generator --in-memory >/dev/null 2>&1 &
SERVER=$!
VIEWER=
trap 'kill $SERVER ${VIEWER:-} 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.1; done

# The viewer: every event line, shortened, as an SSE client sees it.
curl -sN "$BASE/events?types=score,status,incident,match,news" \
  | while IFS= read -r line; do
      case "$line" in
        data:*'"type":"snapshot"'*) ;;
        data:*) printf '  viewer  < %s\n' "${line:6:140}" ;;
      esac
    done &
VIEWER=$!

admin() { LIVESCORE_TOKEN="$TOKEN" "$BIN" admin --url "ws://127.0.0.1:$PORT/ws/admin" "$@" 2>/dev/null | sed 's/^/  admin   > /'; }
step() { printf '\n== %s\n' "$1"; sleep 0.7; }

step "Schedule Arsenal v Tottenham"
KICKOFF="$(date -u +%Y-%m-%dT%H:%M:00Z)"
REPLY="$(LIVESCORE_TOKEN="$TOKEN" "$BIN" admin --url "ws://127.0.0.1:$PORT/ws/admin" \
  "{\"type\":\"match.create\",\"league\":\"epl\",\"home\":\"ARS\",\"away\":\"TOT\",\"kickoff\":\"$KICKOFF\"}" 2>/dev/null)"
echo "  admin   > $REPLY"
ID="$(grep -o '"match_id":[0-9]*' <<<"$REPLY" | cut -d: -f2)"

step "Kick-off";            admin "{\"type\":\"match.status\",\"match_id\":$ID,\"status\":\"live\"}"
step "Goal for Arsenal";    admin "{\"type\":\"incident.add\",\"match_id\":$ID,\"kind\":\"goal\",\"team\":\"home\",\"player\":\"Archie Shackleton\",\"minute\":17}"
step "Yellow card";         admin "{\"type\":\"incident.add\",\"match_id\":$ID,\"kind\":\"yellow_card\",\"team\":\"away\",\"minute\":31}"
step "A stale edit (expected_version 1) is refused"
admin "{\"type\":\"score.set\",\"match_id\":$ID,\"home\":5,\"away\":0,\"expected_version\":1}" || true
step "Half-time";           admin "{\"type\":\"match.status\",\"match_id\":$ID,\"status\":\"halftime\"}"
step "Second half";         admin "{\"type\":\"match.status\",\"match_id\":$ID,\"status\":\"live\",\"minute\":46}"
step "Tottenham equalise";  admin "{\"type\":\"incident.add\",\"match_id\":$ID,\"kind\":\"penalty_goal\",\"team\":\"away\",\"minute\":78}"
step "Breaking news";       admin "{\"type\":\"news.publish\",\"headline\":\"Late penalty earns Spurs a point\",\"tags\":[\"epl\"],\"match_id\":$ID}"
step "Full-time";           admin "{\"type\":\"match.status\",\"match_id\":$ID,\"status\":\"final\",\"minute\":94}"
step "Final is final: going back to live is refused"
admin "{\"type\":\"match.status\",\"match_id\":$ID,\"status\":\"live\"}" || true
sleep 1
printf '\nThe match as the API has it:\n  %s\n' "$(curl -s "$BASE/api/matches/$ID" | cut -c1-200)"
