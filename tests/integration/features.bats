#!/usr/bin/env bats
# features: the runtime-spec features document.

load helpers

@test "features: valid JSON with the spec's fields" {
	requires_husk
	run -0 "$HUSK" features
	echo "$output" | jq -e '.ociVersionMin and .ociVersionMax' >/dev/null
	echo "$output" | jq -e '.hooks == ["prestart","createRuntime","createContainer","startContainer","poststart","poststop"]' >/dev/null
	echo "$output" | jq -e '.linux.namespaces | index("user") and index("pid") and index("time")' >/dev/null
	echo "$output" | jq -e '.mountOptions | index("rbind") and index("ro") and index("rprivate")' >/dev/null
	echo "$output" | jq -e '.linux.capabilities | index("CAP_SYS_ADMIN") and index("CAP_CHOWN")' >/dev/null
	echo "$output" | jq -e '.linux.seccomp.enabled and (.linux.seccomp.actions | index("SCMP_ACT_NOTIFY"))' >/dev/null
	echo "$output" | jq -e '.linux.seccomp.operators | index("SCMP_CMP_MASKED_EQ")' >/dev/null
	echo "$output" | jq -e '.linux.cgroup.v1 and .linux.cgroup.v2' >/dev/null
}

@test "features: runtime-spec 1.3 and what husk implements of it" {
	requires_husk
	run -0 "$HUSK" features
	echo "$output" | jq -e '.ociVersionMax == "1.3.0"' >/dev/null
	echo "$output" | jq -e '.mountOptions | index("idmap") and index("ridmap") and index("tmpcopyup") and index("copy-symlink") and index("src-nofollow") and index("dest-nofollow") and index("rnosymfollow")' >/dev/null
	echo "$output" | jq -e '.linux.netDevices.enabled and .linux.mountExtensions.idmap.enabled' >/dev/null
	echo "$output" | jq -e '.linux.intelRdt == {"enabled": true, "schemata": true, "monitoring": true}' >/dev/null
	echo "$output" | jq -e '.linux.memoryPolicy.modes | index("MPOL_BIND") and index("MPOL_WEIGHTED_INTERLEAVE") and index("MPOL_LOCAL")' >/dev/null
	echo "$output" | jq -e '.linux.memoryPolicy.flags == ["MPOL_F_NUMA_BALANCING","MPOL_F_RELATIVE_NODES","MPOL_F_STATIC_NODES"]' >/dev/null
	echo "$output" | jq -e '.potentiallyUnsafeConfigAnnotations | index("run.oci.keep_original_groups") and index("run.oci.hooks.stdout")' >/dev/null
	# the systemd driver, for the system's and the user's manager
	echo "$output" | jq -e '.linux.cgroup.systemd == true and .linux.cgroup.systemdUser == true' >/dev/null
}

@test "features: each mount option it lists makes a container that runs" {
	requires_husk
	setup_bundle
	local opt m n=0
	set_args true
	cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/base.json"
	for opt in $("$HUSK" features | jq -r '.mountOptions[]'); do
		case $opt in
		remount | idmap | ridmap) continue ;; # an existing mount; a user namespace (userns.bats)
		tmpcopyup | notmpcopyup) m="{\"destination\": \"/mnt\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"$opt\"]}" ;;
		*) m="{\"destination\": \"/mnt\", \"type\": \"bind\", \"source\": \"$BATS_TEST_TMPDIR\", \"options\": [\"rbind\", \"$opt\"]}" ;;
		esac
		jq ".mounts += [$m]" "$BATS_TEST_TMPDIR/base.json" >"$BUNDLE/config.json"
		run husk run --bundle "$BUNDLE" "opt$n"
		[ "$status" = 0 ] || fail "mount option $opt: $output"
		n=$((n + 1))
	done
	[ "$n" -gt 60 ]
	teardown_bundle
}

@test "features: the capabilities are exactly this kernel's" {
	requires_husk
	last=$(cat /proc/sys/kernel/cap_last_cap)
	run -0 "$HUSK" features
	assert_equal "$(echo "$output" | jq '.linux.capabilities | length')" $((last + 1))
}

@test "features: AppArmor and SELinux as the host has them" {
	requires_husk
	run -0 "$HUSK" features
	aa=false
	[ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] && aa=true
	se=false
	[ -e /sys/fs/selinux/enforce ] && se=true
	assert_equal "$(echo "$output" | jq .linux.apparmor.enabled)" "$aa"
	assert_equal "$(echo "$output" | jq .linux.selinux.enabled)" "$se"
}

@test "features: io.github.husk.checkpoint.enabled is what criu check says, with the reason" {
	requires_husk
	run -0 "$HUSK" features
	local want=false
	command -v criu >/dev/null && criu check >/dev/null 2>&1 && want=true
	assert_equal "$(jq -r '.annotations["io.github.husk.checkpoint.enabled"]' <<<"$output")" "$want"
	if [ "$want" = false ]; then
		jq -e '.annotations["io.github.husk.checkpoint.reason"] | test("criu")' <<<"$output"
	fi
}
