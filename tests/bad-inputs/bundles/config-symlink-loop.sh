#!/bin/sh
# config.json is a symlink to itself
set -e
cd "$1"
rm config.json && ln -s config.json config.json
