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

# oci_image TAR OUT NAME: an OCI image layout archive around the rootfs
# tarball, naming the image NAME (for ctr image import).
oci_image() {
	local layer=$1 out=$2 name=$3 dir ld ls cd cs md ms
	dir=$(mktemp -d "$BATS_FILE_TMPDIR/img.XXXXXX")
	mkdir -p "$dir/blobs/sha256"
	ld=$(sha256sum "$layer" | cut -d' ' -f1) ls=$(stat -c %s "$layer")
	cp "$layer" "$dir/blobs/sha256/$ld"
	printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"config":{"Cmd":["sh"],"Env":["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]}}' "$ld" >"$dir/c"
	cd=$(sha256sum "$dir/c" | cut -d' ' -f1) cs=$(stat -c %s "$dir/c")
	mv "$dir/c" "$dir/blobs/sha256/$cd"
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' "$cd" "$cs" "$ld" "$ls" >"$dir/m"
	md=$(sha256sum "$dir/m" | cut -d' ' -f1) ms=$(stat -c %s "$dir/m")
	mv "$dir/m" "$dir/blobs/sha256/$md"
	printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"test"}}]}' "$md" "$ms" "$name" >"$dir/index.json"
	echo '{"imageLayoutVersion":"1.0.0"}' >"$dir/oci-layout"
	tar -C "$dir" -cf "$out" oci-layout index.json blobs
}
