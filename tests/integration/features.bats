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
