#!/bin/sh
# root.path goes through a file
set -e
cd "$1"
echo x >file && sed "s|\"path\": *\"rootfs\"|\"path\": \"file/rootfs\"|" config.json >c && mv c config.json && grep -q file/rootfs config.json
