#!/bin/sh
# Playwright's `executablePath` when the tests run as root (see browser.ts and ../README.md).
#
# Chromium refuses its sandbox as root, and running it with --no-sandbox would test a browser
# with no renderer sandbox at all. So, as root, this script drops to an unprivileged user and
# execs Debian's Chromium *with* its sandbox (user namespaces). It execs (no fork): the process
# Playwright spawned becomes Chromium itself, and the --remote-debugging-pipe that Playwright
# speaks on fds 3 and 4 is inherited unchanged.
#
#   UNIBUS_E2E_USER      the user to run as (default unibus-e2e; created by .ci/run)
#   UNIBUS_E2E_CHROMIUM  the browser to exec (default /usr/bin/chromium)
set -eu

user="${UNIBUS_E2E_USER:-unibus-e2e}"
chromium="${UNIBUS_E2E_CHROMIUM:-/usr/bin/chromium}"

if [ "$(id -u)" != 0 ]; then
  # Not root: nothing to drop, the sandbox works as it is.
  exec "$chromium" "$@"
fi

for arg in "$@"; do
  if [ "$arg" = "--no-sandbox" ]; then
    echo "chromium-as-user.sh: refusing --no-sandbox (launch with chromiumSandbox: true)" >&2
    exit 2
  fi
done

if ! id -u "$user" >/dev/null 2>&1; then
  echo "chromium-as-user.sh: user '$user' does not exist." >&2
  echo "  create it: useradd --system --create-home --shell /usr/sbin/nologin $user" >&2
  exit 2
fi
uid="$(id -u "$user")"
if [ "$uid" = 0 ]; then
  echo "chromium-as-user.sh: '$user' is root; pick an unprivileged user" >&2
  exit 2
fi

# Playwright creates the profile (--user-data-dir) as root, mode 0700: hand it to the user.
# Chromium's HOME and XDG folders go inside it, so nothing is written to root's home and
# every run starts clean (Playwright deletes the profile when the browser closes).
profile=""
for arg in "$@"; do
  case "$arg" in
    --user-data-dir=*) profile="${arg#--user-data-dir=}" ;;
  esac
done
if [ -z "$profile" ] || [ ! -d "$profile" ]; then
  echo "chromium-as-user.sh: expected --user-data-dir=DIR from Playwright" >&2
  exit 2
fi
home="$profile/.home"
mkdir -p "$home"
chown -R "$user:" "$profile"

# A clean environment (no root variables leak into the browser), then the user's uid/gid and
# groups; setpriv execs, so the process keeps its pid and its fds 3/4.
exec env -i \
  PATH=/usr/local/bin:/usr/bin:/bin \
  HOME="$home" \
  XDG_CONFIG_HOME="$home/.config" \
  XDG_CACHE_HOME="$home/.cache" \
  XDG_DATA_HOME="$home/.local/share" \
  LANG="${LANG:-C.UTF-8}" \
  ${TZ:+"TZ=$TZ"} \
  setpriv --reuid="$uid" --regid="$(id -g "$user")" --init-groups --inh-caps=-all \
  "$chromium" "$@"
