#!/bin/sh
# config.json is /dev/zero, a stream without end: the read must be bounded
set -e
cd "$1"
rm config.json && ln -s /dev/zero config.json
