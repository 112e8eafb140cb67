#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# generate.sh OUTDIR VALID_CONFIG: write the config.json cases that are too
# big, too deep or not text enough to keep in git, as OUTDIR/NAME.json with
# OUTDIR/NAME.expect beside each (the format of configs/, see README.md).
# VALID_CONFIG is a complete, valid config.json, cut short for the
# truncated-* cases. Uses bash and coreutils only.
set -euo pipefail

out=$1
valid=$2
mkdir -p "$out"

# expect NAME DESCRIPTION FRAGMENT...: the .expect file of case NAME.
expect() {
	local name=$1 desc=$2
	shift 2
	{
		printf '# %s\n' "$desc"
		printf '%s\n' "$@"
	} >"$out/$name.expect"
}

# repeat N STRING: STRING (no newline in it) N times, without a newline.
repeat() {
	(
		set +o pipefail # yes ends on SIGPIPE
		yes -- "$2" | head -n "$1" | tr -d '\n'
	)
}

# config_with [MEMBERS]: a minimal valid config with more members (text),
# its process and linux objects taken from $PROCESS and $LINUX when set.
config_with() {
	local process=${PROCESS:-'{"cwd": "/", "args": ["true"]}'}
	local linux=${LINUX:-'{"namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "uts"}]}'}
	printf '{"ociVersion": "1.0.2", "process": %s, "root": {"path": "rootfs"}, "linux": %s%s}\n' \
		"$process" "$linux" "${1:+, $1}"
}

mib=1048576

# --- empty and truncated ------------------------------------------------------

: >"$out/empty.json"
expect empty 'a file of 0 bytes' 'config.json: invalid JSON: the document is empty'

size=$(wc -c <"$valid")
for pct in 0 10 25 50 75 90 99; do
	n=$((size * pct / 100))
	[ "$n" -gt 0 ] || n=1
	head -c "$n" "$valid" >"$out/truncated-$pct.json"
	expect "truncated-$pct" "a valid config cut after $n of its $size bytes ($pct%)" \
		'config.json: invalid JSON' 'premature EOF'
done
# The closing brace (and newline) gone: the last thing missing.
head -c "$((size - 2))" "$valid" >"$out/truncated-last-brace.json"
expect truncated-last-brace 'a valid config without its closing brace' \
	'config.json: invalid JSON' 'premature EOF'

# --- not JSON, not text -------------------------------------------------------

# 4 KiB of pseudo-random bytes (the same every time: a fixed LCG), starting
# with a byte no JSON text starts with.
x=12345 garbage='\x89'
for ((i = 1; i < 4096; i++)); do
	x=$(((x * 1103515245 + 12345) % 2147483648))
	printf -v garbage '%s\\x%02x' "$garbage" $(((x >> 16) & 255))
done
printf '%b' "$garbage" >"$out/binary-garbage.json"
expect binary-garbage '4 KiB of random bytes' 'config.json: invalid JSON' 'line 1, column 1'

printf '{"ociVersion": %b' "$garbage" >"$out/binary-after-valid-start.json"
expect binary-after-valid-start 'a valid start, then random bytes' \
	'config.json: invalid JSON' 'line 1, column 16'

printf '\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00\x3e\x00' >"$out/binary-elf.json"
expect binary-elf 'the start of an ELF binary' 'config.json: invalid JSON' 'line 1, column 1'

printf '{"ociVersion": "1.0\x00.2"}\n' >"$out/binary-nul-byte.json"
expect binary-nul-byte 'a raw NUL byte inside a string' 'config.json: invalid JSON' 'line 1, column'

printf '\xff\xfe{\x00"\x00o\x00"\x00:\x00 \x001\x00}\x00' >"$out/binary-utf16.json"
expect binary-utf16 'JSON in UTF-16 with a byte order mark' 'config.json: invalid JSON' 'line 1, column 1'

printf '\xef\xbb\xbf{"ociVersion": "1.0.2"}\n' >"$out/binary-utf8-bom.json"
expect binary-utf8-bom 'a UTF-8 byte order mark before the object' 'config.json: invalid JSON' 'line 1, column 1'

# --- invalid UTF-8 in strings -------------------------------------------------

utf8_case() {
	local name=$1 desc=$2 bytes
	bytes=$(printf '%b' "$3")
	config_with "\"hostname\": \"box$bytes\"" >"$out/utf8-$name.json"
	expect "utf8-$name" "the hostname holds $desc" 'config.json: invalid JSON' 'UTF8'
}
utf8_case lone-continuation 'a lone continuation byte (0x80)' '\x80'
utf8_case byte-ff 'the byte 0xff' '\xff'
utf8_case truncated-2 'a 2-byte sequence cut short (0xc3)' '\xc3'
utf8_case truncated-3 'a 3-byte sequence cut short (0xe2 0x82)' '\xe2\x82'
utf8_case truncated-4 'a 4-byte sequence cut short (0xf0 0x9f 0x98)' '\xf0\x9f\x98'
printf '{"ociVersion": "1.0.2", "annotations": {"k\xfe": "v"}}\n' >"$out/utf8-in-key.json"
expect utf8-in-key 'an annotation key that holds the byte 0xfe' 'config.json: invalid JSON' 'UTF8'

# --- huge numbers ---------------------------------------------------------------

PROCESS="{\"cwd\": \"/\", \"args\": [\"true\"], \"user\": {\"uid\": $(repeat $mib 9), \"gid\": 0}}" \
	config_with >"$out/number-1mib-digits.json"
expect number-1mib-digits 'a uid of a million digits: the message quotes its ends only' \
	'config.json: process.user.uid: integer 9999' 'bytes left out' 'out of range for uint32'

LINUX="{\"resources\": {\"memory\": {\"limit\": -$(repeat 5000 9)}}}" \
	config_with >"$out/number-5000-digits-negative.json"
expect number-5000-digits-negative 'a memory limit of minus 5000 nines' \
	'config.json: linux.resources.memory.limit: integer -9999' 'out of range for int64'

PROCESS="{\"cwd\": \"/\", \"args\": [\"true\"], \"oomScoreAdj\": 0.$(repeat 100000 5)}" \
	config_with >"$out/number-long-fraction.json"
expect number-long-fraction 'an oomScoreAdj with 100000 decimals' \
	'config.json: process.oomScoreAdj: expected an integer, got 0.5555' 'bytes left out'

# --- huge strings ---------------------------------------------------------------

big=$(repeat $mib a)

config_with "\"hostname\": \"$big\"" >"$out/string-1mib-hostname.json"
expect string-1mib-hostname 'a hostname of 1 MiB' 'config.json: hostname: 1048576 bytes long, the most is 64'

config_with "\"domainname\": \"$big\"" >"$out/string-1mib-domainname.json"
expect string-1mib-domainname 'a domainname of 1 MiB' 'config.json: domainname: 1048576 bytes long, the most is 64'

printf '{"ociVersion": "1.0.2", "process": {"cwd": "/", "args": ["true"]}, "root": {"path": "%s"}}\n' "$big" \
	>"$out/string-1mib-root-path.json"
expect string-1mib-root-path 'a root.path of 1 MiB' 'rootfs' 'bytes left out' 'File name too long'

PROCESS="{\"cwd\": \"/$big\", \"args\": [\"true\"]}" config_with >"$out/string-1mib-cwd.json"
expect string-1mib-cwd 'a process.cwd of 1 MiB (refused in the container)' \
	'process.cwd: /aaaa' 'bytes left out' 'File name too long'

PROCESS="{\"cwd\": \"/\", \"args\": [\"/$big\"]}" config_with >"$out/string-1mib-args.json"
expect string-1mib-args 'a program name of 1 MiB (refused in the container)' \
	'exec "/aaaa' 'bytes left out' 'File name too long'

config_with "\"mounts\": [{\"destination\": \"/$big\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}]" \
	>"$out/string-1mib-mount-destination.json"
expect string-1mib-mount-destination 'a mount destination of 1 MiB (refused in the container)' \
	'/aaaa' 'bytes left out' 'File name too long'

config_with "\"hooks\": {\"createRuntime\": [{\"path\": \"/$big\"}]}" >"$out/string-1mib-hook-path.json"
expect string-1mib-hook-path 'a hook path of 1 MiB' \
	'hooks.createRuntime[0] /aaaa' 'bytes left out' 'File name too long'

LINUX="{\"namespaces\": [{\"type\": \"mount\"}], \"sysctl\": {\"$big\": \"1\"}}" \
	config_with >"$out/string-1mib-sysctl-key.json"
expect string-1mib-sysctl-key 'a sysctl name of 1 MiB' 'linux.sysctl["aaaa' 'bytes left out' 'setting it would change the host'

LINUX="{\"namespaces\": [{\"type\": \"$big\"}]}" config_with >"$out/string-1mib-namespace-type.json"
expect string-1mib-namespace-type 'a namespace type of 1 MiB' \
	'config.json: linux.namespaces[0].type: unknown namespace type "aaaa' 'bytes left out'

config_with "\"hostname\": \"$(repeat 100000 '\n')\"" >"$out/string-100000-newlines.json"
expect string-100000-newlines 'a hostname of 100000 escaped line breaks: the message stays one line' \
	'config.json: hostname: 100000 bytes long, the most is 64'

LINUX='{"namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "network", "path": "/no/such\n"}]}' \
	config_with >"$out/string-newline-in-path.json"
expect string-newline-in-path 'a namespace path that ends in a line break: it is escaped in the message' \
	'linux.namespaces[2].path: /no/such\n: No such file or directory'

# --- deep nesting ---------------------------------------------------------------

deep=100000
printf '%s%s\n' "$(repeat $deep '[')" "$(repeat $deep ']')" >"$out/deep-arrays.json"
expect deep-arrays "$deep nested arrays" 'config.json: invalid JSON: nested deeper than 128 levels'

printf '%s\n' "$(repeat $deep '[')" >"$out/deep-arrays-unclosed.json"
expect deep-arrays-unclosed "$deep opening brackets and nothing else" \
	'config.json: invalid JSON: nested deeper than 128 levels'

printf '{"ociVersion": "1.0.2", "process": {"cwd": "/", "args": %s"true"%s}}\n' \
	"$(repeat $deep '[')" "$(repeat $deep ']')" >"$out/deep-arrays-in-args.json"
expect deep-arrays-in-args "process.args as $deep nested arrays" \
	'config.json: invalid JSON: nested deeper than 128 levels'

printf '{"ociVersion": "1.0.2", "annotations": %s1%s}\n' \
	"$(repeat $deep '{"a": ')" "$(repeat $deep '}')" >"$out/deep-objects.json"
expect deep-objects "$deep nested objects" 'config.json: invalid JSON: nested deeper than 128 levels'

printf '%s\n' "$(repeat $((deep / 2)) '[{"a":')" >"$out/deep-mixed-unclosed.json"
expect deep-mixed-unclosed "$deep alternately nested arrays and objects, never closed" \
	'config.json: invalid JSON: nested deeper than 128 levels'
