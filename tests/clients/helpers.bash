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

# start_containerd DIR [SYSTEMD_CGROUP]: containerd with its state in DIR
# and husk as contrib's runc-v2 handler (SystemdCgroup = SYSTEMD_CGROUP,
# default false); its socket is DIR/containerd.sock, its pid in DIR/pid.
start_containerd() {
	local d=$1 systemd=${2:-false}
	mkdir -p "$d"
	cat >"$d/config.toml" <<-EOF
		version = 2
		root = "$d/root"
		state = "$d/state"
		[grpc]
		  address = "$d/containerd.sock"
		$(sed -e "s|/usr/local/bin/husk|$HUSK|" -e "s/SystemdCgroup = false/SystemdCgroup = $systemd/" \
			"$TOP/contrib/containerd/config.toml" | grep -v '^version')
	EOF
	containerd --config "$d/config.toml" >"$d/log" 2>&1 &
	echo $! >"$d/pid"
	for _ in $(seq 100); do [ -S "$d/containerd.sock" ] && break; sleep 0.1; done
	[ -S "$d/containerd.sock" ] || { cat "$d/log" >&2; return 1; }
}

# stop_containerd DIR: every task and container of namespace husk-test
# removed, then containerd stopped.
stop_containerd() {
	local d=$1 t
	[ -f "$d/pid" ] || return 0
	ctr_in() { ctr -a "$d/containerd.sock" -n husk-test "$@"; }
	for t in $(ctr_in task ls -q 2>/dev/null); do ctr_in task kill -s KILL "$t" >/dev/null 2>&1; done
	sleep 0.5
	for t in $(ctr_in task ls -q 2>/dev/null); do ctr_in task rm -f "$t" >/dev/null 2>&1; done
	for t in $(ctr_in container ls -q 2>/dev/null); do ctr_in container rm "$t" >/dev/null 2>&1; done
	stop_pid_file "$d/pid"
}

# start_dockerd DIR [JQ_FILTER]: dockerd with its data, socket
# (DIR/docker.sock) and pid (DIR/pid) in DIR, contrib's daemon.json with
# this husk, no host networking touched; JQ_FILTER adds to the config.
start_dockerd() {
	local d=$1 extra=${2:-.}
	mkdir -p "$d"
	jq --arg husk "$HUSK" --arg d "$d" '.runtimes.husk.path = $husk
		| . + {"data-root": ($d + "/data"), "exec-root": ($d + "/exec"), "pidfile": ($d + "/docker.pid"),
		       "hosts": ["unix://" + $d + "/docker.sock"], "bridge": "none", "iptables": false,
		       "ip6tables": false, "storage-driver": "vfs"} | '"$extra" \
		"$TOP/contrib/docker/daemon.json" >"$d/daemon.json"
	dockerd --config-file "$d/daemon.json" --containerd-namespace husk-test >"$d/log" 2>&1 &
	echo $! >"$d/pid"
	for _ in $(seq 300); do
		[ -S "$d/docker.sock" ] && DOCKER_HOST=unix://$d/docker.sock docker info >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	tail -20 "$d/log" >&2
	return 1
}

# stop_pid_file FILE: stop the daemon whose pid FILE holds (we started it).
stop_pid_file() {
	local pid
	pid=$(cat "$1" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null
	for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
}
