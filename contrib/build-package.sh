#!/bin/bash
# Build husk's Debian package or its RPM from the release tarball (make deb,
# make rpm):
#   contrib/build-package.sh deb|rpm TARBALL OUTDIR
# The package lands in OUTDIR, the build's output in OUTDIR/KIND-build.log.
set -euo pipefail
kind=$1 tarball=$2 out=$3

need() {
  command -v "$1" >/dev/null 2>&1 && return
  echo "husk: make $kind needs $1 (apt-get install $2)" >&2
  exit 1
}

version=${tarball##*/husk-}
version=${version%.tar.xz}
mkdir -p "$out"
log=$out/$kind-build.log
work=$(mktemp -d "$out/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT

build() {
  if ! "$@" >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "husk: make $kind: '$*' failed; its output is in $log" >&2
    exit 1
  fi
}

case $kind in
deb)
  need dpkg-buildpackage dpkg-dev
  need dh debhelper
  tar -C "$work" -xJf "$tarball"
  src=$work/husk-$version
  cp -a "$src/contrib/debian" "$src/debian"
  # Debian's version comes from its changelog: a release needs its entry.
  deb_version=$(cd "$src" && dpkg-parsechangelog -SVersion)
  if [ "${deb_version%-*}" != "$version" ]; then
    echo "husk: make deb: contrib/debian/changelog is at $deb_version, the tarball at $version: add a changelog entry (dch -v $version-1)" >&2
    exit 1
  fi
  (cd "$src" && build dpkg-buildpackage -us -uc -b)
  mv -f "$work"/*.deb "$out"/
  ls "$out"/husk_"$deb_version"_*.deb
  ;;
rpm)
  need rpmbuild rpm
  # rpm's database knows no package of a Debian host: there the build
  # dependencies are not checked (contrib/install-deps.sh --build has them).
  nodeps=
  rpm -q glibc >/dev/null 2>&1 || nodeps=--nodeps
  build rpmbuild -ta $nodeps --define "_topdir $work" "$tarball"
  mv -f "$work"/RPMS/*/*.rpm "$out"/
  ls "$out"/husk-"$version"-*.rpm
  ;;
*)
  echo "husk: build-package.sh: deb or rpm, not '$kind'" >&2
  exit 2
  ;;
esac
