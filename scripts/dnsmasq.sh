# Debian's dnsmasq (and iproute2's `ip`) for the multi-host test (packages/multi-host: worker
# hosts in network namespaces found through DNS). Called by scripts/test.sh. In CI, as root,
# installs what is missing; elsewhere says how, and the test skips (as it does without root).
set -euo pipefail
missing=()
[ -x /usr/sbin/dnsmasq ] || missing+=(dnsmasq-base)
command -v ip >/dev/null || missing+=(iproute2)
if [ ${#missing[@]} = 0 ]; then
  exit 0
fi
if [ -n "${CI:-}" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian's ${missing[*]} for the multi-host test" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
else
  echo "no ${missing[*]}: the multi-host test will skip. Install with \`sudo apt-get install -y ${missing[*]}\`." >&2
fi
