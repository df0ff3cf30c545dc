#!/usr/bin/env bash
# Installs kcat (Debian's package of the librdkafka command-line client) for KcatInteropTest. Idempotent: does
# nothing when kcat already runs. Exits non-zero, with the reason on stderr, when it cannot install it.
set -euo pipefail

check() { command -v kcat >/dev/null 2>&1 && kcat -V >/dev/null 2>&1; }

if check; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "cannot install kcat: apt-get is not available (not Debian?)" >&2
  exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "cannot install kcat: apt-get needs root, and this runs as $(id -un)" >&2
  exit 3
fi
export DEBIAN_FRONTEND=noninteractive
# A fresh machine's package lists may be empty or stale: without an update, apt-get cannot find kcat at all. Another
# build on the machine may hold apt's locks (installing its own test tools): wait for them rather than fail.
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends kcat >/dev/null
if ! check; then
  echo "kcat was installed, but 'kcat -V' still fails:" >&2
  kcat -V >&2 || true
  exit 4
fi
