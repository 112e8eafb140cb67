#!/bin/sh
# config.json is a symlink to nothing
set -e
cd "$1"
rm config.json && ln -s no-such-file config.json
