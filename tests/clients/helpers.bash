# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the real-client tests: engines driven as their users drive
# them, with husk as the runtime, and images imported from the busybox
# rootfs (no registry).

bats_load_library bats-support 2>/dev/null || load /usr/lib/bats/bats-support/load
bats_load_library bats-assert 2>/dev/null || load /usr/lib/bats/bats-assert/load

HUSK=${HUSK:-$BATS_TEST_DIRNAME/../../husk}
TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

# A busybox rootfs tarball, made once per run.
busybox_tar() {
	local cache=${BATS_RUN_TMPDIR:-/tmp}/husk-clients-busybox
	if [ ! -f "$cache/busybox.tar" ]; then
		mkdir -p "$cache"
		HUSK=$HUSK sh "$TOP/bundles/busybox/make-bundle.sh" "$cache/bundle" >/dev/null 2>&1 || return 1
		# The static socket helper rides along, for sd_notify tests.
		if [ -x "${HUSK_TEST_SOCKETS:-}" ]; then
			cp "$HUSK_TEST_SOCKETS" "$cache/bundle/rootfs/bin/test-sockets"
		fi
		tar -C "$cache/bundle/rootfs" -cf "$cache/busybox.tar.tmp" . && mv "$cache/busybox.tar.tmp" "$cache/busybox.tar"
	fi
	echo "$cache/busybox.tar"
}
