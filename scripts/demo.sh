#!/usr/bin/env bash
# The README's tour against a local emulator: seed, plan, park, status,
# restore. Starts its own moto on a loopback port and stops it at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${1:-5055}"
export AWS_ENDPOINT_URL="http://127.0.0.1:${PORT}" AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo \
       AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
.venv/bin/moto_server -H 127.0.0.1 -p "$PORT" >/dev/null 2>&1 &
MOTO=$!
trap 'kill $MOTO 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do (echo >/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null && break; sleep 0.1; done
STATE=$(mktemp -d)
# Where cargo put the binaries: CARGO_TARGET_DIR when it is set.
BIN="${CARGO_TARGET_DIR:-target}/debug"
run() { echo; echo "\$ parkctl $*"; "$BIN/parkctl" --state-dir "$STATE" "$@"; }
"$BIN/examples/seed" "$AWS_ENDPOINT_URL"
run validate
run status
run plan parked || true
run apply parked --yes
run status
run apply running --yes
run history
echo; echo "demo state (snapshots, records, logs) is in $STATE"
