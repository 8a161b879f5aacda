#!/bin/sh
# Puts the nats-server of Debian 13 (trixie), from Debian's archive, at .tools/nats-server/nats-server
# for the tests that start their own NATS cluster (the fault test, the replica probe).
#
# Why not the machine's own: Debian 12 (bookworm) ships nats-server 2.9.10, which loses and moves
# acknowledged messages when a node of a replicas-3 cluster is paused or killed under load (see
# docs/DEPLOYMENT.md, "nats-server version"; `node packages/nats/dist/probe/replica-probe.js`
# shows it). Debian 13 ships 2.10.27. The package is only unpacked here, not installed: the
# machine's NATS service on 127.0.0.1:4222 stays as it is.
#
# Verified the way apt verifies: the suite's InRelease by Debian's archive keyring, the package
# index by the hash InRelease gives, the package by the hash the index gives.
#
# Environment: DEBIAN_MIRROR (default http://deb.debian.org/debian), NATS_SERVER_SUITE (default
# trixie). Exit 0 with the binary in place (already there or fetched), non-zero with a reason.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/.tools/nats-server"
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=${NATS_SERVER_SUITE:-trixie}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

fail() {
  echo "fetch-nats-server: $*" >&2
  exit 1
}

if [ -x "$dest/nats-server" ] && [ -f "$dest/SUITE" ] && [ "$(cat "$dest/SUITE")" = "$suite" ] &&
  "$dest/nats-server" --version >/dev/null 2>&1; then
  "$dest/nats-server" --version
  exit 0
fi
for tool in curl xz gpgv dpkg dpkg-deb sha256sum; do
  command -v "$tool" >/dev/null || fail "needs $tool (apt-get install curl xz-utils gpgv dpkg)"
done
arch=$(dpkg --print-architecture)
[ -f "$keyring" ] || fail "needs Debian's archive keyring at $keyring (apt-get install debian-archive-keyring)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

curl -fsS --retry 3 --connect-timeout 20 --max-time 300 -o "$tmp/InRelease" "$mirror/dists/$suite/InRelease" || fail "cannot download $mirror/dists/$suite/InRelease"
# Good when a signature verifies with a key of the keyring and none is bad; a signature by a key
# the keyring does not hold yet (Debian adds keys over time) is not a failure by itself.
gpgv --status-fd 3 --keyring "$keyring" --output "$tmp/Release" "$tmp/InRelease" 3>"$tmp/gpgv.status" 2>"$tmp/gpgv.log" || true
if ! grep -q '^\[GNUPG:\] VALIDSIG ' "$tmp/gpgv.status" || grep -q '^\[GNUPG:\] BADSIG ' "$tmp/gpgv.status" ||
  [ ! -s "$tmp/Release" ]; then
  fail "the signature of $suite's InRelease does not verify: $(cat "$tmp/gpgv.log")"
fi

index="main/binary-$arch/Packages.xz"
# The SHA256 section lists "<hash> <size> <path>"; take the line of the index.
index_sha=$(awk -v path="$index" '/^SHA256:/ { s = 1; next } /^[^ ]/ { s = 0 } s && $3 == path { print $1 }' "$tmp/Release")
[ -n "$index_sha" ] || fail "$suite's Release names no $index"
curl -fsS --retry 3 --connect-timeout 20 --max-time 300 -o "$tmp/Packages.xz" "$mirror/dists/$suite/$index" || fail "cannot download $index"
echo "$index_sha  $tmp/Packages.xz" | sha256sum -c --quiet - || fail "$index does not match its hash in Release"

xz -dc "$tmp/Packages.xz" >"$tmp/Packages"
# The stanza of package nats-server: its Version, Filename and SHA256.
awk '/^Package: / { p = ($2 == "nats-server") } p && /^(Version|Filename|SHA256): / { print $1, $2 }' "$tmp/Packages" >"$tmp/stanza"
version=$(awk '$1 == "Version:" { print $2 }' "$tmp/stanza")
filename=$(awk '$1 == "Filename:" { print $2 }' "$tmp/stanza")
deb_sha=$(awk '$1 == "SHA256:" { print $2 }' "$tmp/stanza")
[ -n "$filename" ] && [ -n "$deb_sha" ] || fail "$suite has no nats-server for $arch"

echo "fetch-nats-server: nats-server $version from $suite ($mirror/$filename)"
curl -fsS --retry 3 --connect-timeout 20 --max-time 300 -o "$tmp/nats-server.deb" "$mirror/$filename" || fail "cannot download $filename"
echo "$deb_sha  $tmp/nats-server.deb" | sha256sum -c --quiet - || fail "$filename does not match its hash in the index"
dpkg-deb -x "$tmp/nats-server.deb" "$tmp/unpacked"

mkdir -p "$dest"
cp "$tmp/unpacked/usr/sbin/nats-server" "$dest/nats-server.new"
mv "$dest/nats-server.new" "$dest/nats-server"
echo "$suite" >"$dest/SUITE"
echo "$version" >"$dest/VERSION"
"$dest/nats-server" --version
