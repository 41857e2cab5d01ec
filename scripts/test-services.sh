#!/usr/bin/env bash
# Installs what the test suite needs beyond Python packages: Debian's Chromium
# (browser tests) and the PostgreSQL server binaries (team-mode tests), plus an
# unprivileged user to run PostgreSQL as (initdb refuses to run as root).
# Idempotent: does nothing when everything is already there.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v runuser >/dev/null 2>&1 || need+=(util-linux)
fc-list 2>/dev/null | grep -qi "noto.*arab\|arabic" || need+=(fonts-noto-core)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test-services: please install: ${need[*]} (needs root)" >&2
    exit 1
  fi
  echo "test-services: installing ${need[*]}"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if [ "$(id -u)" -eq 0 ] && ! id athar-test >/dev/null 2>&1; then
  useradd --system --no-create-home --shell /usr/sbin/nologin athar-test
fi
