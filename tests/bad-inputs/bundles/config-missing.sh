#!/bin/sh
# the bundle has no config.json
set -e
cd "$1"
rm config.json
