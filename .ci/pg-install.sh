#!/bin/sh
# Make sure a PostgreSQL server is installable by internal/pgtest: Debian's postgresql
# package (initdb and pg_ctl under /usr/lib/postgresql/*/bin) and a `postgres` user for
# runuser when the tests run as root. Installs the package only when it is absent.
set -eu
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "pg-install: $(ls -d /usr/lib/postgresql/*/bin | tail -1) present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "pg-install: PostgreSQL missing and not root; install the postgresql package" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends postgresql >/dev/null
# The Debian package starts a cluster of its own; the tests start their own server.
ls -d /usr/lib/postgresql/*/bin | tail -1
