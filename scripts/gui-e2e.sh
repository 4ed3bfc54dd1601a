#!/usr/bin/env bash
# End-to-end test of the desktop app in a real X server (Xvfb, no GPU, no window manager).
# The script starts its own devnet on a private port range, then two profiles (alice, bob)
# create accounts through the onboarding screens, bob copies his Session ID from the QR dialog,
# alice pastes it into a new conversation and writes, bob accepts the message request and
# answers; a third profile shows the restore screen with a mistyped word. Screenshots go to
# $OUT (default target/gui-e2e/*.png).
#
# Every step waits for a condition (a window, a pixel colour at a known layout position, a
# debug log line of the app) instead of a fixed sleep, and fails with a message after
# $E2E_TIMEOUT seconds (default 60). Everything the script starts is stopped on exit.
#
# Needs: xvfb xauth xdotool imagemagick curl (apt-get install -y --no-install-recommends ...).
# SESSION_BIN=path skips the build; E2E_DISPLAY picks the X display (default: the first free
# one from :99); E2E_BASE_PORT the devnet's first port (default 23700, away from the default
# devnet on 22000); E2E_IDLE_SECONDS how long to measure the idle cost (default 10).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$ROOT/target/gui-e2e}
BASE_PORT=${E2E_BASE_PORT:-23700}
TIMEOUT=${E2E_TIMEOUT:-60}
IDLE_SECONDS=${E2E_IDLE_SECONDS:-10}
SEED=http://127.0.0.1:$BASE_PORT
BIN=${SESSION_BIN:-}
if [ -z "$BIN" ]; then
    (cd "$ROOT" && cargo build --release --bin session)
    BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/session
fi
for tool in Xvfb xdotool import curl; do
    command -v "$tool" >/dev/null || {
        echo "missing $tool: apt-get install -y --no-install-recommends xvfb xauth xdotool imagemagick curl" >&2
        exit 1
    }
done

log() { echo "[gui-e2e] $*" >&2; }
fail() {
    echo "[gui-e2e] FAILED: $*" >&2
    [ -n "${DISPLAY:-}" ] && import -window root "$OUT/failure.png" 2>/dev/null &&
        echo "[gui-e2e] screen at the failure: $OUT/failure.png" >&2
    exit 1
}

DATA=$(mktemp -d)
mkdir -p "$OUT"
rm -f "$OUT"/*.png "$OUT"/*.log "$OUT"/*.pid
PIDS=()
cleanup() {
    local status=$?
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    # Give them a moment to exit cleanly, then make sure.
    for _ in $(seq 50); do
        local alive=0
        for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ "$alive" = 0 ] && break
        sleep 0.1
    done
    for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    rm -rf "$DATA"
    [ "$status" = 0 ] || echo "[gui-e2e] logs: $OUT/*.log" >&2
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_for DESCRIPTION COMMAND...: polls COMMAND every 0.2 s until it succeeds or $TIMEOUT.
wait_for() {
    local what=$1
    shift
    local deadline=$((SECONDS + TIMEOUT))
    until "$@" >/dev/null 2>&1; do
        [ "$SECONDS" -lt "$deadline" ] || fail "$what: nothing after ${TIMEOUT} s"
        sleep 0.2
    done
}

# --- X server -------------------------------------------------------------------------------
if [ -n "${E2E_DISPLAY:-}" ]; then
    DISPLAY_NUM=$E2E_DISPLAY
else
    n=99
    while [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ]; do n=$((n + 1)); done
    DISPLAY_NUM=:$n
fi
Xvfb "$DISPLAY_NUM" -screen 0 1280x800x24 -nolisten tcp >"$OUT/xvfb.log" 2>&1 &
PIDS+=($!)
export DISPLAY=$DISPLAY_NUM
wait_for "the X server $DISPLAY_NUM" xdotool getdisplaygeometry

# --- devnet ---------------------------------------------------------------------------------
nodes_listed() {
    curl -s --max-time 2 -X POST "$SEED/json_rpc" -H 'content-type: application/json' \
        -d '{"jsonrpc":"2.0","id":0,"method":"get_n_service_nodes","params":{"limit":1000,"fields":{"pubkey_ed25519":true}}}' |
        grep -o pubkey_ed25519 | wc -l
}
if curl -s --max-time 2 "$SEED" >/dev/null 2>&1; then
    fail "port $BASE_PORT is in use: set E2E_BASE_PORT to a free range"
fi
"$BIN" --run-devnet "$DATA/devnet" --devnet-port "$BASE_PORT" >"$OUT/devnet.log" 2>&1 &
PIDS+=($!)
devnet_up() { [ "$(nodes_listed)" -ge 15 ]; }
wait_for "the devnet seed $SEED listing 15 nodes" devnet_up
log "devnet up at $SEED"

# --- pixels, keys, clicks -------------------------------------------------------------------
# The window is 1180x760 at (0,0) with no window manager, so window and screen coordinates
# agree, and the layout at this size is fixed: positions below come from it.
pixel() { # x y -> #RRGGBB
    import -window root -crop "1x1+$1+$2" -depth 8 txt:- 2>/dev/null | awk 'NR == 2 {print $3}'
}
brightness() { # x y -> 0..765
    local hex
    hex=$(pixel "$1" "$2")
    echo $((16#${hex:1:2} + 16#${hex:3:2} + 16#${hex:5:2}))
}
is_colour() { [ "$(pixel "$1" "$2")" = "$3" ]; }
is_light() { [ "$(brightness "$1" "$2")" -gt 600 ]; }
is_dark() { [ "$(brightness "$1" "$2")" -lt 150 ]; }
# first_y X Y0 HEIGHT COLOUR -> the first y in the column with that colour (finds a button
# whose place depends on text above it, e.g. a wrapped recovery phrase).
first_y() {
    import -window root -crop "1x$3+$1+$2" -depth 8 txt:- 2>/dev/null |
        awk -v c="$4" -v y0="$2" '!f && NR > 1 && $3 == c {split($1, p, /[,:]/); print p[2] + y0; f = 1}'
}
# has_colour X Y W H COLOUR: some pixel of the rectangle has exactly that colour.
has_colour() {
    # grep -c reads everything: grep -q would stop early and fail the pipe (pipefail).
    [ "$(import -window root -crop "$3x$4+$1+$2" -depth 8 txt:- 2>/dev/null | grep -c -- " $5 ")" -gt 0 ]
}
ACCENT='#31F196'
shot() { # window name
    xdotool windowraise "$1"
    sleep 0.3 # one frame after the last change
    import -window root "$OUT/$2.png"
    log "screenshot $OUT/$2.png"
}
activate() { # window (a window that is not viewable yet refuses the focus: retry)
    for _ in $(seq 50); do
        xdotool windowraise "$1" 2>/dev/null && xdotool windowfocus --sync "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    fail "cannot focus window $1"
}
click() { # x y
    xdotool mousemove --sync "$1" "$2" click 1
}
# click_until DESCRIPTION X Y CONDITION...: clicks, then waits for CONDITION; clicks again if
# it does not hold after 2 s (a click that came before the frame was drawn is lost).
click_until() {
    local what=$1 x=$2 y=$3
    shift 3
    local deadline=$((SECONDS + TIMEOUT))
    while true; do
        click "$x" "$y"
        for _ in $(seq 10); do
            "$@" >/dev/null 2>&1 && return 0
            sleep 0.2
        done
        [ "$SECONDS" -lt "$deadline" ] || fail "$what: no effect after ${TIMEOUT} s of clicking ($x,$y)"
    done
}
type_text() { # window text
    activate "$1"
    xdotool type --delay 20 "$2"
}
key() { # window keys...
    local w=$1
    shift
    activate "$w"
    xdotool key "$@"
}
plain_log() { sed 's/\x1b\[[0-9;]*m//g' "$OUT/$1.log"; } # without colour codes
log_count() { plain_log "$1" | grep -c -- "$2" || true; }
log_has() { [ "$(log_count "$1" "$2")" -gt 0 ]; }
log_count_at_least() { [ "$(log_count "$1" "$2")" -ge "$3" ]; }

start_app() { # profile -> the window id (the app pid goes to $OUT/$1.pid)
    local started
    started=$(date +%s%N)
    NO_COLOR=1 RUST_LOG=warn,session=debug "$BIN" --data-dir "$DATA" --profile "$1" --seed "$SEED" \
        >"$OUT/$1.log" 2>&1 &
    echo $! >"$OUT/$1.pid"
    local w=""
    local deadline=$((SECONDS + TIMEOUT))
    until w=$(xdotool search --onlyvisible --name " $1\$" 2>/dev/null | head -1) && [ -n "$w" ]; do
        [ "$SECONDS" -lt "$deadline" ] || fail "no window for $1 after ${TIMEOUT} s"
        sleep 0.05
    done
    log "$1: window after $((($(date +%s%N) - started) / 1000000)) ms"
    xdotool windowmove --sync "$w" 0 0 2>/dev/null || xdotool windowmove "$w" 0 0
    echo "$w"
}
stop_app() { # profile
    kill "$(cat "$OUT/$1.pid")" 2>/dev/null || true
}
welcome_drawn() { is_colour 470 419 "$ACCENT"; }   # "Create account"
saved_button() { first_y 473 480 160 "$ACCENT"; }  # "I have saved it", below the phrase
saved_button_shown() { [ -n "$(saved_button)" ]; }
onboard() { # window name profile shot-number
    activate "$1"
    wait_for "$3: the welcome screen" welcome_drawn
    click_until "$3: Create account" 590 419 saved_button_shown
    shot "$1" "0$4-$3-new-account"
    local y
    y=$(saved_button)
    # The name step: its "Continue" button is the only accent on the card's left column.
    click_until "$3: I have saved it" 473 $((y + 8)) name_step_shown
    type_text "$1" "$2"
    key "$1" Return
    wait_for "$3: the client starting" log_has "$3" "client started"
}
name_step_shown() { [ -z "$(saved_button)" ]; }

A=$(start_app alice)
PIDS+=("$(cat "$OUT/alice.pid")")
activate "$A"
wait_for "alice: the welcome screen" welcome_drawn
shot "$A" 01-welcome
onboard "$A" Alice alice 2
B=$(start_app bob)
PIDS+=("$(cat "$OUT/bob.pid")")
onboard "$B" Bob bob 3
online() { is_colour 32 738 "$ACCENT"; } # the path dot, bottom left
activate "$A"
wait_for "alice: the network" online
shot "$A" 04-alice-main

# Carol restores: a mistyped word gets a red error with suggestions.
C=$(start_app carol)
PIDS+=("$(cat "$OUT/carol.pid")")
activate "$C"
wait_for "carol: the welcome screen" welcome_drawn
restore_shown() { ! is_colour 470 419 "$ACCENT"; }
click_until "carol: I have an account" 590 465 restore_shown
# 13 words, the fourth not in the word list ("qzxwv"; words match by their first three letters), so the check stops there.
type_text "$C" "tudor snake begun qzxwv pimple stylishly answers diplomat total light happens voted tudor"
error_red() { has_colour 262 400 650 100 '#FF3A3A'; }
wait_for "carol: the wrong-word error" error_red
shot "$C" 17-restore-wrong-word
stop_app carol

# Bob shows his QR code and copies his Session ID.
activate "$B"
wait_for "bob: the network" online
click 32 36 # avatar -> QR dialog
sleep 0.5
shot "$B" 05-bob-qr
click 564 611 # Copy ID

# Alice: Ctrl+N, paste, Enter; the conversation opens with the composer focused.
key "$A" ctrl+n
sleep 0.3
key "$A" ctrl+v
shot "$A" 06-alice-new-conversation
key "$A" Return
composer_shown() { is_colour 1099 728 "$ACCENT"; } # the Send button
wait_for "alice: the conversation to open" composer_shown
type_text "$A" "Hello Bob, this is Alice"
key "$A" Return
type_text "$A" "A second line"
key "$A" shift+Return
type_text "$A" "in the same message"
key "$A" Return
wait_for "alice: both messages stored" log_count_at_least alice "direction=Outgoing" 2
wait_for "alice: both messages sent" log_count_at_least alice "status=Sent" 2
shot "$A" 07-alice-sent

# Bob: the request arrives; open the requests, accept and answer.
key "$B" Escape
wait_for "bob: the message request from alice" log_has bob "message request arrived"
wait_for "bob: both messages" log_count_at_least bob "direction=Incoming" 2
shot "$B" 08-bob-request
requests_open() { has_colour 215 160 70 40 '#FF3A3A'; } # the red "Block" under the request
click_until "bob: the message requests banner" 224 83 requests_open
shot "$B" 09-bob-message-requests
conversation_open() { is_colour 1099 728 "$ACCENT"; }
click_until "bob: the request row" 224 130 conversation_open
accepted() { ! requests_open; }
click_until "bob: Accept" 108 180 accepted
shot "$B" 10-bob-accepted
click 740 728 # the composer
type_text "$B" "Hi Alice! Bob here."
key "$B" Return
wait_for "bob: the answer sent" log_count_at_least bob "status=Sent" 1
wait_for "alice: bob's answer (${TIMEOUT} s)" log_count_at_least alice "direction=Incoming" 1
shot "$B" 11-bob-replied
shot "$A" 12-alice-received

# Settings: profile, network page, and the light theme.
activate "$A"
settings_shown() { is_dark 600 400 && [ "$(pixel 120 400)" = "$(pixel 120 700)" ] && ! composer_shown; }
click_until "alice: settings" 32 150 settings_shown
shot "$A" 13-settings-profile
devices_page() { has_colour 280 482 90 20 "$ACCENT"; } # the Sync now button
click_until "alice: the other devices page" 45 153 devices_page
synced() { has_colour 395 484 200 16 "$ACCENT"; } # "Done. N contacts in your synced list."
click_until "alice: Sync now" 325 492 synced
shot "$A" 14-settings-other-devices
network_page() { has_colour 280 140 30 220 "$ACCENT"; } # the path dots
click_until "alice: the network page" 45 314 network_page
shot "$A" 14-settings-network
appearance_page() { ! network_page; }
click_until "alice: the appearance page" 58 233 appearance_page
shot "$A" 15-settings-appearance
click_until "alice: classic light" 280 142 is_light 700 400
shot "$A" 15-settings-appearance-light
click_until "alice: back to the conversation" 40 26 composer_shown
wait_for "alice: the light conversation" is_light 782 400
shot "$A" 16-alice-light

# Idle cost of one window.
APID=$(cat "$OUT/alice.pid")
RSS=$(awk '/VmRSS/ {print $2}' "/proc/$APID/status")
T0=$(awk '{print $14 + $15}' "/proc/$APID/stat")
sleep "$IDLE_SECONDS"
T1=$(awk '{print $14 + $15}' "/proc/$APID/stat")
HZ=$(getconf CLK_TCK)
log "alice idle over $IDLE_SECONDS s: rss $((RSS / 1024)) MB, cpu $(awk "BEGIN {printf \"%.2f\", ($T1 - $T0) * 100 / $HZ / $IDLE_SECONDS}") %"
log "passed: screenshots in $OUT"
