#!/bin/sh
# Install what building and testing husk needs on Debian/Ubuntu, only when
# something is missing (so a machine that has everything pays nothing).
#   contrib/install-deps.sh          build + test dependencies, and the
#                                    engines the client tests drive
#   contrib/install-deps.sh --build  build dependencies only
#   contrib/install-deps.sh --vm     what tests/vm/run.sh needs (a kernel
#                                    and qemu, for the pure cgroup v2 tests;
#                                    systemd and dbus for its systemd guest,
#                                    criu for checkpoint.bats, which runs there;
#                                    man-db and bash-completion for the
#                                    installed package's test)
#   contrib/install-deps.sh --packages what make deb, make rpm and their
#                                    checks need (debhelper, lintian, rpm)
set -eu

build="gcc make autoconf automake libtool pkg-config libyajl-dev libseccomp-dev libcap-dev libdbus-1-dev"
test_deps="bats bats-assert bats-support bats-file busybox-static jq strace iproute2 util-linux uidmap passwd runc crun criu"
clients="podman containerd docker.io"
vm="qemu-system-x86 linux-image-amd64 busybox-static e2fsprogs systemd dbus criu man-db bash-completion"
doc="go-md2man"
packages="dpkg-dev debhelper dh-autoreconf fakeroot lintian rpm cpio xz-utils"

case "${1:-}" in
--build) want="$build $doc" ;;
--vm) want="$vm" ;;
--packages) want="$packages" ;;
*) want="$build $doc $test_deps $clients $vm $packages" ;;
esac

missing=""
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
  echo "husk: missing packages:$missing (run this script as root to install them)" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "husk: missing packages:$missing (no apt-get here: install them by hand)" >&2
  exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
