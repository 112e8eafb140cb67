#!/bin/sh
# root.path names a directory that does not exist
set -e
cd "$1"
sed "s|\"path\": *\"rootfs\"|\"path\": \"no-such-rootfs\"|" config.json >c && mv c config.json && grep -q no-such-rootfs config.json
