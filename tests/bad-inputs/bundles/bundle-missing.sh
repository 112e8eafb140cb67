#!/bin/sh
# the bundle directory does not exist
set -e
rm -rf "$1"
