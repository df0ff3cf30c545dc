#!/usr/bin/env bash
# Makes a tool that a test needs available: runs CHECK, and when it fails installs PACKAGES with apt-get and runs
# CHECK again. Usage: apt-install.sh WHAT CHECK PACKAGE... Idempotent. Exits non-zero, with the reason on stderr, when
# it cannot install them.
set -euo pipefail

what=$1
check=$2
shift 2

if bash -c "$check" >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "cannot install $what: apt-get is not available (not Debian?)" >&2
  exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "cannot install $what: apt-get needs root, and this runs as $(id -un)" >&2
  exit 3
fi
export DEBIAN_FRONTEND=noninteractive
# A fresh machine's package lists may be empty or stale: without an update, apt-get finds nothing. Another build on
# the machine may hold apt's locks (installing its own test tools): wait for them rather than fail.
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "$@" >/dev/null
if ! bash -c "$check" >/dev/null 2>&1; then
  echo "$what was installed, but '$check' still fails:" >&2
  bash -c "$check" >&2 || true
  exit 4
fi
