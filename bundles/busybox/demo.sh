#!/bin/sh
# make demo: build the busybox bundle and run a container that says who it is.
set -eu
husk=${1:?usage: demo.sh PATH-TO-HUSK}
here=$(cd "$(dirname "$0")" && pwd)
bundle=$here/bundle
if [ "$(id -u)" != 0 ]; then
  echo "make demo runs a real container: run it as root" >&2
  exit 1
fi
HUSK=$husk sh "$here/make-bundle.sh" "$bundle" >/dev/null
work=$(mktemp -d /tmp/husk-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir "$work/bundle" "$work/root"
# The demo's own config: no terminal, and a process that prints its view.
jq --arg rootfs "$bundle/rootfs" '.process.terminal = false
  | .root.path = $rootfs
  | .hostname = "husk-demo"
  | .process.args = ["sh", "-c", "echo \"hello from $(hostname): I am pid $$, uid $(id -u)\"; for ns in pid net mnt uts ipc cgroup; do echo \"  $ns namespace: $(readlink /proc/self/ns/$ns)\"; done"]' \
  "$bundle/config.json" >"$work/bundle/config.json"
echo "host:"
for ns in pid net mnt uts ipc cgroup; do echo "  $ns namespace: $(readlink /proc/self/ns/$ns)"; done
echo "container (husk run --bundle $work/bundle demo):"
"$husk" --root "$work/root" run --bundle "$work/bundle" "demo-$$"
