#!/bin/sh
# the rootfs is a file
set -e
cd "$1"
rm -rf rootfs && echo not a directory >rootfs
