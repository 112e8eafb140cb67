#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make-bundle.sh DIR [--config FILE]
#
# Makes an OCI bundle in DIR: DIR/rootfs holds Debian's static busybox with
# one symlink per applet, the usual directories and a minimal /etc, and
# DIR/config.json is copied from FILE (--config) or, when no config.json is
# there yet, written by "$HUSK spec --bundle DIR" (HUSK defaults to the husk
# binary at the top of this repository).
#
# Busybox comes from /bin/busybox when the busybox-static package is installed
# (or from $BUSYBOX when set); otherwise the package is fetched with
# "apt-get download busybox-static" and unpacked with dpkg-deb into a
# temporary directory.  Nothing else touches the network.
#
# Idempotent: re-running with the same busybox only refreshes what is missing,
# and an existing config.json is kept unless --config is given.
set -eu

prog=${0##*/}
usage() {
	echo "usage: $prog DIR [--config FILE]" >&2
	exit 2
}
die() {
	echo "$prog: $*" >&2
	exit 1
}

dir=
config=
while [ $# -gt 0 ]; do
	case $1 in
	--config)
		[ $# -ge 2 ] || usage
		config=$2
		shift 2
		;;
	--config=*)
		config=${1#--config=}
		shift
		;;
	-h | --help) usage ;;
	-*) usage ;;
	*)
		[ -z "$dir" ] || usage
		dir=$1
		shift
		;;
	esac
done
[ -n "$dir" ] || usage
if [ -n "$config" ] && [ ! -f "$config" ]; then
	die "--config $config: No such file"
fi

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
runtime=${HUSK:-$repo/husk}

tmp=
cleanup() { [ -z "$tmp" ] || rm -rf "$tmp"; }
trap cleanup EXIT

# --- find a static busybox -------------------------------------------------
busybox=${BUSYBOX:-}
if [ -z "$busybox" ]; then
	if [ -x /bin/busybox ] &&
		dpkg-query -W -f '${Status}' busybox-static 2>/dev/null |
		grep -q 'install ok installed'; then
		busybox=/bin/busybox
	else
		command -v apt-get >/dev/null || die "busybox-static is not installed and apt-get is missing"
		tmp=$(mktemp -d)
		if ! (cd "$tmp" && apt-get download busybox-static) >"$tmp/apt.log" 2>&1; then
			cat "$tmp/apt.log" >&2
			die "apt-get download busybox-static failed"
		fi
		deb=
		for f in "$tmp"/busybox-static_*.deb; do
			[ -f "$f" ] && deb=$f
		done
		[ -n "$deb" ] || die "apt-get download left no busybox-static .deb"
		dpkg-deb -x "$deb" "$tmp/x"
		busybox=$tmp/x/bin/busybox
	fi
fi
[ -x "$busybox" ] || die "$busybox: not executable"

# --- rootfs ------------------------------------------------------------------
rootfs=$dir/rootfs
mkdir -p "$rootfs"
stamp=$dir/.rootfs-stamp
want_stamp=$(cksum <"$busybox")

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want_stamp" ] &&
	[ -x "$rootfs/bin/busybox" ] && [ -f "$rootfs/etc/passwd" ]; then
	: # already made from this busybox
else
	rm -f "$stamp"
	for d in bin sbin usr/bin usr/sbin usr/local/bin lib proc sys dev etc \
		root run var var/run var/log mnt home; do
		mkdir -p "$rootfs/$d"
	done
	mkdir -p "$rootfs/tmp" "$rootfs/var/tmp"
	chmod 1777 "$rootfs/tmp" "$rootfs/var/tmp"
	chmod 700 "$rootfs/root"

	if ! cmp -s "$busybox" "$rootfs/bin/busybox"; then
		cp "$busybox" "$rootfs/bin/busybox.new"
		chmod 755 "$rootfs/bin/busybox.new"
		mv -f "$rootfs/bin/busybox.new" "$rootfs/bin/busybox"
	fi

	# One relative symlink per applet, where busybox says it belongs
	# (bin/sh, usr/bin/env, sbin/ip ...); "linuxrc" and the like go to /bin.
	"$busybox" --list-full | while IFS= read -r applet; do
		case $applet in
		*/*) ;;
		*) applet=bin/$applet ;;
		esac
		case $applet in
		bin/busybox) continue ;;
		bin/*) target=busybox ;;
		sbin/*) target=../bin/busybox ;;
		usr/bin/* | usr/sbin/*) target=../../bin/busybox ;;
		*) continue ;;
		esac
		link=$rootfs/$applet
		if [ -L "$link" ]; then
			[ "$(readlink "$link")" = "$target" ] && continue
			rm -f "$link"
		fi
		ln -s "$target" "$link"
	done

	cat >"$rootfs/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
	cat >"$rootfs/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
nobody:x:65534:
EOF
	: >"$rootfs/etc/resolv.conf"
	printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' >"$rootfs/etc/hosts"
	echo "$want_stamp" >"$stamp"
fi

# --- config.json ---------------------------------------------------------------
if [ -n "$config" ]; then
	if ! cmp -s "$config" "$dir/config.json"; then
		cp "$config" "$dir/config.json.new"
		mv -f "$dir/config.json.new" "$dir/config.json"
	fi
elif [ -f "$dir/config.json" ]; then
	: # keep it
elif [ -x "$runtime" ] || command -v "$runtime" >/dev/null 2>&1; then
	"$runtime" spec --bundle "$dir" || die "$runtime spec --bundle $dir failed"
else
	echo "$prog: no runtime at $runtime (set HUSK) and no --config: wrote $rootfs only" >&2
fi
