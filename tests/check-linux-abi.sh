#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# src/lib/linux-abi.h against the headers of the host and of every Debian
# release architecture whose cross compiler is installed (gcc-aarch64-linux-gnu
# and so on): tests/linux-abi-probe.c must compile for each. The cross
# compilers are optional; the host's ${CC:-cc} is not.
srcdir=${srcdir:-.}
fail=0
checked=
for cc in "${CC:-cc}" aarch64-linux-gnu-gcc arm-linux-gnueabi-gcc arm-linux-gnueabihf-gcc \
    i686-linux-gnu-gcc powerpc64le-linux-gnu-gcc s390x-linux-gnu-gcc riscv64-linux-gnu-gcc \
    mips64el-linux-gnuabi64-gcc x86_64-linux-gnux32-gcc; do
  command -v "${cc%% *}" >/dev/null 2>&1 || continue
  if $cc -fsyntax-only -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -I"$srcdir/src/lib" \
      "$srcdir/tests/linux-abi-probe.c"; then
    checked="$checked ${cc%% *}"
  else
    echo "linux-abi.h: wrong for $cc (above)" >&2
    fail=1
  fi
done
echo "linux-abi.h checked with:$checked"
exit $fail
