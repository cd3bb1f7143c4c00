# Debian's Chromium for apps/web's browser tests (driven by playwright-core, which never
# downloads a browser). Called by scripts/test.sh. In CI, as root, installs it when missing;
# elsewhere says how, and the browser tests skip (with CI set they fail without it).
set -euo pipefail
if { [ -n "${CHROMIUM_PATH:-}" ] && [ -x "$CHROMIUM_PATH" ]; } || { [ -z "${CHROMIUM_PATH:-}" ] && command -v chromium >/dev/null; }; then
  exit 0
fi
if [ -n "${CI:-}" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian's chromium for the browser tests" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
else
  echo "no Chromium: apps/web's browser tests will skip. Install it with \`sudo apt-get install -y chromium\` (or set CHROMIUM_PATH)." >&2
fi
