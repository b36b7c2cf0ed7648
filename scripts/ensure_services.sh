#!/usr/bin/env bash
# The system software `make celery-test` needs, installed from Debian's packages when missing:
# PostgreSQL (the metadata database), Redis (the Celery broker), iproute2 (`ip netns`, veth and
# bridges for the test's hosts) and util-linux (`unshare`, `nsenter`, `setpriv`). Nothing is started
# here and no cluster is created: the test runs its own PostgreSQL and Redis in a temporary
# directory. Needs root (CI runs as root); prints what it found.
set -euo pipefail

missing=()
postgres_bin=$(ls -d /usr/lib/postgresql/*/bin/postgres 2>/dev/null | sort -V | tail -n 1 || true)
[ -x "${postgres_bin:-}" ] && [ -x "$(dirname "$postgres_bin")/initdb" ] || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v ip >/dev/null || missing+=(iproute2)
for tool in unshare nsenter setpriv; do
  command -v "$tool" >/dev/null || { missing+=(util-linux); break; }
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "ensure_services: missing ${missing[*]}; install them as root (apt-get install ${missing[*]})" >&2
    exit 1
  fi
  echo "ensure_services: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The package starts its own services; the test needs none of them (it runs its own instances).
  for service in postgresql redis-server; do
    if command -v systemctl >/dev/null && systemctl is-active --quiet "$service" 2>/dev/null; then
      systemctl stop "$service" || true
    elif command -v service >/dev/null; then
      service "$service" stop >/dev/null 2>&1 || true
    fi
  done
fi

postgres_bin=$(ls -d /usr/lib/postgresql/*/bin/postgres | sort -V | tail -n 1)
echo "ensure_services: $("$postgres_bin" --version); $(redis-server --version | cut -d' ' -f1-3); $(ip -V)"
