#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with a fresh, unlocked gnome-keyring "login"
# collection — the real Secret Service path keytar/libsecret use on Linux desktops.
#
# HOME and the XDG directories point into a temp directory for the duration, so the user's
# real keyring is never read or written. The temp directory is removed afterwards and the
# keyring daemon exits with the session bus.
#
# Usage:  scripts/with-keyring.sh <command> [args...]
# Needs:  dbus (dbus-run-session), gnome-keyring; keytar needs libsecret-1.
# Exports to the command:
#   UNIBUS_KEYRING_SESSION   the temp root (keyring files under $XDG_DATA_HOME/keyrings)
#   UNIBUS_KEYRING_PASSWORD  the collection password (tests re-unlock after locking with
#                            `printf %s "$UNIBUS_KEYRING_PASSWORD" |
#                             gnome-keyring-daemon --replace --unlock --components=secrets`)
set -euo pipefail

if [[ $# -eq 0 ]]; then
  echo "usage: $0 <command> [args...]" >&2
  exit 2
fi

# The processes started inside a session: their environment names it (/proc/PID/environ is
# the environment a process was started with).
session_pids() {
  grep -lzxF "UNIBUS_KEYRING_SESSION=$1" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3 || true
}

# Waits (bounded) until no process of the session runs; SIGKILLs what is left after 5 s.
wait_for_session_end() {
  local pids attempt
  for attempt in $(seq 1 100); do
    pids="$(session_pids "$1")"
    [[ -z "$pids" ]] && return 0
    # shellcheck disable=SC2086 # one pid per word
    [[ $attempt -eq 50 ]] && { kill -KILL $pids 2>/dev/null || true; }
    sleep 0.1
  done
  echo "$0: still running in the keyring session: $pids" >&2
}

if [[ -z "${UNIBUS_KEYRING_SESSION:-}" ]]; then
  for tool in dbus-run-session gnome-keyring-daemon; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      echo "$0: '$tool' not found (install the dbus and gnome-keyring packages)" >&2
      exit 127
    fi
  done
  UNIBUS_KEYRING_SESSION="$(mktemp -d "${TMPDIR:-/tmp}/unibus-keyring.XXXXXX")"
  export UNIBUS_KEYRING_SESSION
  export UNIBUS_KEYRING_REAL_HOME="${HOME:-}"
  status=0
  dbus-run-session -- "$0" "$@" || status=$?
  # gnome-keyring-daemon exits a moment after the session bus and may still write into the
  # folder: remove it only once nothing started in the session runs any more.
  session="$UNIBUS_KEYRING_SESSION"
  unset UNIBUS_KEYRING_SESSION # so the processes below do not count themselves
  wait_for_session_end "$session"
  rm -rf -- "$session"
  exit "$status"
fi

# From here on we run inside the private session bus.
root="$UNIBUS_KEYRING_SESSION"
export HOME="$root/home"
export XDG_DATA_HOME="$root/data"
export XDG_CONFIG_HOME="$root/config"
export XDG_CACHE_HOME="$root/cache"
export XDG_RUNTIME_DIR="$root/runtime"
mkdir -p "$HOME" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"
mkdir -p -m 0700 "$XDG_RUNTIME_DIR"
# npm/npx keep using the real cache, not one under the temp HOME.
if [[ -n "$UNIBUS_KEYRING_REAL_HOME" && -z "${npm_config_cache:-}" ]]; then
  export npm_config_cache="$UNIBUS_KEYRING_REAL_HOME/.npm"
fi
# No display: a libsecret prompt fails at once instead of waiting for a user.
unset DISPLAY WAYLAND_DISPLAY

export UNIBUS_KEYRING_PASSWORD="${UNIBUS_KEYRING_PASSWORD:-unibus-test-keyring}"
# --unlock reads the password from stdin; with no keyring on disk it creates the "login"
# collection protected by that password, unlocked, and makes it the default collection.
eval "$(printf '%s' "$UNIBUS_KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets)"

# Fail early (not inside the tests) if the Secret Service did not come up.
for _ in $(seq 1 50); do
  if gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
    --method org.freedesktop.DBus.NameHasOwner org.freedesktop.secrets 2>/dev/null | grep -q true; then
    break
  fi
  sleep 0.1
done

"$@"
