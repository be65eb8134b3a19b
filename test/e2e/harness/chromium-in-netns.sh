#!/bin/sh
# Playwright's `executablePath` for a browser that must run inside a network namespace (a test
# that plays two computers, see ../README.md): enters UNIBUS_E2E_NETNS with `ip netns exec`,
# which execs (no fork, so the --remote-debugging-pipe on fds 3 and 4 survives), then hands over
# to chromium-as-user.sh, which drops root and execs Chromium with its sandbox on.
set -eu

ns="${UNIBUS_E2E_NETNS:-}"
case "$ns" in
  lan*) ;;
  *)
    echo "chromium-in-netns.sh: UNIBUS_E2E_NETNS must name a test namespace (lan…), got '$ns'" >&2
    exit 2
    ;;
esac
exec ip netns exec "$ns" "$(dirname "$0")/chromium-as-user.sh" "$@"
