#!/bin/sh
# config.json is a directory
set -e
cd "$1"
rm config.json && mkdir config.json
