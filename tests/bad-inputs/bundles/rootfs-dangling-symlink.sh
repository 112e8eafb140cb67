#!/bin/sh
# the rootfs is a symlink to nothing
set -e
cd "$1"
rm -rf rootfs && ln -s no-such-dir rootfs
