#!/usr/bin/env bats
# The release tarball (make dist, make distcheck), the Debian package (make
# deb) and the RPM (make rpm), as a distribution's packager builds them.
# What they hold is checked here; tests/packages/install.bats installs the
# .deb in the test VM (make check-vm-install).

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert
bats_load_library bats-file

: "${HUSK_BUILDDIR:?the build directory (make check-packages sets it)}"
SRCDIR=${HUSK_SRCDIR:-$HUSK_BUILDDIR}
MAKE=${MAKE:-make}

setup_file() {
	export VERSION TARBALL
	VERSION=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$HUSK_BUILDDIR/config.h")
	TARBALL=$HUSK_BUILDDIR/husk-$VERSION.tar.xz
	rm -rf "$HUSK_BUILDDIR/pkg"
}

# Programs the tarball must build without: each one, if run, says so and
# leaves a mark.
no_autotools_path() {
	local shims=$BATS_FILE_TMPDIR/shims p
	mkdir -p "$shims"
	# automake's missing script runs them by versioned names too.
	for p in aclocal autoconf autoheader automake autom4te autoreconf autoscan libtoolize go-md2man \
		$(cd /usr/bin && compgen -G 'aclocal-*'; cd /usr/bin && compgen -G 'automake-*'); do
		printf '#!/bin/sh\necho "%s was run: the release tarball must build without it" >&2\ntouch %s/RAN-%s\nexit 1\n' \
			"$p" "$shims" "$p" >"$shims/$p"
		chmod +x "$shims/$p"
	done
	echo "$shims:$PATH"
}

# pkg_file GLOB: the package made by make deb or make rpm (made once).
pkg_file() {
	local kind=$1 f
	case $kind in
	deb) f=$(ls "$HUSK_BUILDDIR"/pkg/husk_"$VERSION"-*_*.deb 2>/dev/null | head -n 1) ;;
	rpm) f=$(ls "$HUSK_BUILDDIR"/pkg/husk-"$VERSION"-*.rpm 2>/dev/null | grep -v '\.src\.rpm$' | head -n 1) ;;
	esac
	if [ -z "$f" ]; then
		$MAKE -C "$HUSK_BUILDDIR" --no-print-directory "$kind" >&2 || return 1
		pkg_file "$kind"
		return
	fi
	echo "$f"
}

# The files every package must install, relative to /.
expected_files() {
	local m
	echo usr/bin/husk
	for m in "$SRCDIR"/man/*.8.md; do
		m=${m##*/}
		echo "usr/share/man/man8/${m%.md}"
	done
	echo usr/share/bash-completion/completions/husk
	echo usr/share/doc/husk/examples/podman/containers.conf
	echo usr/share/doc/husk/examples/docker/daemon.json
	echo usr/share/doc/husk/examples/containerd/config.toml
	echo usr/share/doc/husk/examples/kubernetes/runtimeclass.yaml
}

# assert_installed_tree DIR: DIR (an unpacked package) holds the expected
# files, and its husk runs and names the commit it was built from.
assert_installed_tree() {
	local dir=$1 f missing=
	while read -r f; do
		case $f in
		usr/share/man/*) compgen -G "$dir/$f*" >/dev/null || missing="$missing $f" ;;
		*) [ -f "$dir/$f" ] || missing="$missing $f" ;;
		esac
	done < <(expected_files)
	[ -z "$missing" ] || fail "missing from the package:$missing"
	run -0 grep -h /husk "$dir"/usr/share/doc/husk/examples/podman/containers.conf \
		"$dir"/usr/share/doc/husk/examples/docker/daemon.json "$dir"/usr/share/doc/husk/examples/containerd/config.toml
	assert_output --partial '"/usr/bin/husk"'
	refute_output --partial /usr/local/
	run -0 "$dir/usr/bin/husk" --version
	assert_line "husk version $VERSION"
	assert_line --regexp '^commit: (v[0-9][^ ]*-g)?[0-9a-f]{12}'
	if git -C "$SRCDIR" rev-parse HEAD >/dev/null 2>&1; then
		assert_line --regexp "^commit: (v[0-9][^ ]*-g)?$(git -C "$SRCDIR" rev-parse --short=12 HEAD)"
	fi
}

@test "make distcheck passes, with no autotools and no go-md2man on the PATH" {
	# Bring the tree up to date first: the check is about the tarball.
	run -0 $MAKE -C "$HUSK_BUILDDIR" --no-print-directory dist
	# and configure there is told that go-md2man is not on the PATH
	PATH=$(no_autotools_path) run -0 $MAKE -C "$HUSK_BUILDDIR" --no-print-directory distcheck \
		DISTCHECK_CONFIGURE_FLAGS=ac_cv_path_GO_MD2MAN=
	assert_output --partial "husk-$VERSION archives ready for distribution"
	assert_line 'checking for go-md2man... (cached) no'
	assert_output --partial "man/husk-run.8"
	# The unit tests ran in it, and only they.
	assert_output --partial "# PASS:"
	assert_output --partial "configured with --disable-system-tests: the unit tests only"
	! compgen -G "$BATS_FILE_TMPDIR/shims/RAN-*" || fail "the tarball's build ran $(ls "$BATS_FILE_TMPDIR"/shims/RAN-*)"
}

@test "the tarball holds every file git has (but tests/packages/not-in-tarball) and what is made for it" {
	[ -f "$TARBALL" ] || run -0 $MAKE -C "$HUSK_BUILDDIR" --no-print-directory dist
	tar -tJf "$TARBALL" | sed "s|^husk-$VERSION/||" | sort >"$BATS_TEST_TMPDIR/tarball"
	for f in configure Makefile.in config.h.in build-aux/install-sh contrib/rpm/husk.spec \
		man/husk.8 man/husk-run.8 .tarball-commit; do
		grep -qxF "$f" "$BATS_TEST_TMPDIR/tarball" || fail "the tarball has no $f"
	done
	git -C "$SRCDIR" rev-parse HEAD >/dev/null 2>&1 || skip "not a git checkout: no list to compare with"
	grep -v '^#' "$SRCDIR/tests/packages/not-in-tarball" | sort >"$BATS_TEST_TMPDIR/left-out"
	git -C "$SRCDIR" ls-files | sort | comm -23 - "$BATS_TEST_TMPDIR/left-out" >"$BATS_TEST_TMPDIR/git"
	run comm -23 "$BATS_TEST_TMPDIR/git" "$BATS_TEST_TMPDIR/tarball"
	assert_output ''
	# and nothing else but what autotools, go-md2man and dist-hook make
	# (a make demo's bundle or a fuzz build must not ride along)
	run -0 bash -c "comm -13 '$BATS_TEST_TMPDIR/git' '$BATS_TEST_TMPDIR/tarball' | grep -v '/\$' |
		grep -vxE 'configure|Makefile\.in|config\.h\.in|aclocal\.m4|build-aux/[^/]+|man/husk(-[a-z]+)?\.8|contrib/rpm/husk\.spec|\.tarball-commit' || :"
	assert_output ''
	# the spec made from this tree's husk.spec.in, not an older one
	run -0 tar -xOJf "$TARBALL" "husk-$VERSION/contrib/rpm/husk.spec"
	assert_line --regexp "^Version: +$VERSION\$"
	assert_output "$(sed "s/@PACKAGE_VERSION@/$VERSION/g" "$SRCDIR/contrib/rpm/husk.spec.in")"
}

@test "make deb: a husk .deb with the binary, the man pages, the completion and the engines' snippets" {
	deb=$(pkg_file deb)
	run -0 dpkg-deb -f "$deb" Package Version Architecture
	assert_line "Package: husk"
	assert_line --regexp "^Version: $VERSION-[0-9]+\$"
	assert_line "Architecture: $(dpkg --print-architecture)"
	mkdir "$BATS_TEST_TMPDIR/root"
	dpkg-deb -x "$deb" "$BATS_TEST_TMPDIR/root"
	assert_installed_tree "$BATS_TEST_TMPDIR/root"
	# Linked against the shared libraries (contrib/debian/rules says why),
	# and the package depends on them.
	run -0 readelf -d "$BATS_TEST_TMPDIR/root/usr/bin/husk"
	assert_output --partial 'libseccomp.so'
	run -0 dpkg-deb -f "$deb" Depends
	assert_output --partial libseccomp2
	assert_output --partial libyajl2
}

@test "lintian finds no error in the .deb" {
	command -v lintian >/dev/null || skip "lintian is not installed (apt-get install lintian)"
	deb=$(pkg_file deb)
	run lintian --fail-on error "$deb"
	# The remaining tags are listed in README.md ("Packages").
	for line in "${lines[@]}"; do
		case $line in
		[EWIP]:*) echo "# lintian: $line" >&3 ;;
		esac
	done
	refute_line --regexp '^E: '
	assert_success
}

@test "make rpm: rpmbuild -ta of the tarball makes an RPM with the same files" {
	command -v rpmbuild >/dev/null || skip "rpmbuild is not installed (apt-get install rpm)"
	rpm=$(pkg_file rpm)
	run -0 rpm -qp --queryformat '%{NAME} %{VERSION} %{LICENSE}\n' "$rpm"
	assert_output "husk $VERSION GPL-2.0-or-later"
	mkdir "$BATS_TEST_TMPDIR/root"
	(cd "$BATS_TEST_TMPDIR/root" && rpm2cpio "$rpm" | cpio -idm --quiet)
	assert_installed_tree "$BATS_TEST_TMPDIR/root"
}

@test "the tarball builds --without-dbus; that husk says it has no systemd driver" {
	[ -f "$TARBALL" ] || run -0 $MAKE -C "$HUSK_BUILDDIR" --no-print-directory dist
	tar -C "$BATS_TEST_TMPDIR" -xJf "$TARBALL"
	cd "$BATS_TEST_TMPDIR/husk-$VERSION"
	run -0 ./configure --without-dbus --disable-system-tests
	run -0 $MAKE -j"$(nproc)" husk
	run -0 sh -c 'readelf -d husk; nm husk'
	refute_output --partial libdbus
	refute_output --partial dbus_connection
	run -0 ./husk features
	assert_equal "$(jq -c '.linux.cgroup | [.systemd, .systemdUser, .v2]' <<<"$output")" '[false,false,true]'
}
