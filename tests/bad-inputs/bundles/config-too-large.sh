#!/bin/sh
# config.json is a 65 MiB sparse file: refused before it is read
set -e
cd "$1"
truncate -s 65M config.json
