#!/bin/sh
# tests/setup-deps.sh [package ...] - make sure the Debian packages that
# building, make check and make demo need (and any named) are installed.
# Run by make deps (hence make check and make demo) and by .ci/run.
# Every package present: silent, exit 0.  Some missing: as root, installs
# them with apt-get; otherwise prints the one apt-get line that would and
# exits 69.  Without dpkg-query (not Debian) it checks nothing and exits 0:
# the build then names what it lacks.
pkgs="build-essential pkg-config zlib1g-dev libjq-dev jq libcurl4-openssl-dev
	libssl-dev libpq-dev postgresql mandoc socat curl perl python3 librsvg2-bin
	strace python3-prometheus-client libjson-validator-perl
	postgresql-server-dev-all $*"

command -v dpkg-query >/dev/null 2>&1 || exit 0
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
	    grep -q 'ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "setup-deps: missing Debian packages; as root run:" >&2
	echo "apt-get install -y$missing" >&2
	exit 69
fi
echo "setup-deps: installing$missing" >&2
apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing \
	    >/dev/null ||
    { echo "setup-deps: apt-get install failed" >&2; exit 69; }
