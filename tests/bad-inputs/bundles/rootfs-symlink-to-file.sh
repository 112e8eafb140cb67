#!/bin/sh
# the rootfs is a symlink to a file
set -e
cd "$1"
rm -rf rootfs && echo x >file && ln -s file rootfs
