#!/usr/bin/env bash
# Installs what the interoperability test needs to run Confluent's own Python client: Debian's
# python3-confluent-kafka (whose legacy confluent_kafka.avro module has CachedSchemaRegistryClient and
# MessageSerializer) and python3-avro. Idempotent: does nothing when the module already imports.
# Exits non-zero, with the reason on stderr, when it cannot install them.
set -euo pipefail

PYTHON=/usr/bin/python3
check() { "$PYTHON" -c 'import confluent_kafka.avro, avro.schema' >/dev/null 2>&1; }

if [ -x "$PYTHON" ] && check; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "cannot install python3-confluent-kafka and python3-avro: apt-get is not available (not Debian?)" >&2
  exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "cannot install python3-confluent-kafka and python3-avro: apt-get needs root, and this runs as $(id -un)" >&2
  exit 3
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends python3 python3-confluent-kafka python3-avro python3-requests >/dev/null
if ! check; then
  echo "python3-confluent-kafka and python3-avro were installed, but '$PYTHON -c import confluent_kafka.avro' still fails" >&2
  "$PYTHON" -c 'import confluent_kafka.avro, avro.schema' >&2 || true
  exit 4
fi
