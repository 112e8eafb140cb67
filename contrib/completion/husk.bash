# bash completion for husk                                    -*- shell-script -*-
# Install as /usr/share/bash-completion/completions/husk (make install does).

_husk_ids() {
	local root=/run/husk i
	for ((i = 1; i < ${#COMP_WORDS[@]}; i++)); do
		case ${COMP_WORDS[i]} in
		--root) root=${COMP_WORDS[i + 1]} ;;
		--root=*) root=${COMP_WORDS[i]#--root=} ;;
		esac
	done
	[ "$(id -u)" != 0 ] && [ "$root" = /run/husk ] && root=${XDG_RUNTIME_DIR:-/tmp/husk-$(id -u)}/husk
	compgen -W "$(ls "$root" 2>/dev/null)" -- "$cur"
}

_husk() {
	local cur prev words cword
	_init_completion || return
	local commands="create start state kill delete run exec list spec features check pause resume update ps events checkpoint restore"
	local global="--root --log --log-format --debug --systemd-cgroup --cgroup-manager --rootless --criu --version --help"
	local cmd="" i
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--root | --log | --log-format | --cgroup-manager | --rootless | --criu) ((i++)) ;;
		-*) ;;
		*) cmd=${words[i]}; break ;;
		esac
	done
	# -f is --config for create and run (--force for delete).
	if [[ $prev == -f && ($cmd == create || $cmd == run) ]]; then
		_filedir
		return
	fi
	case $prev in
	--root | --bundle | -b | --image-path | --work-path | --parent-path) _filedir -d; return ;;
	--criu) _filedir; return ;;
	--manage-cgroups-mode) COMPREPLY=($(compgen -W "soft full strict ignore" -- "$cur")); return ;;
	--empty-ns) COMPREPLY=($(compgen -W "network" -- "$cur")); return ;;
	--log | --pid-file | --console-socket | --pidfd-socket | --config | --process | -p | --resources | -r) _filedir; return ;;
	--log-format) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
	--cgroup-manager) COMPREPLY=($(compgen -W "cgroupfs systemd disabled" -- "$cur")); return ;;
	--rootless) COMPREPLY=($(compgen -W "true false auto" -- "$cur")); return ;;
	--format) COMPREPLY=($(compgen -W "table json text" -- "$cur")); return ;;
	esac
	if [ -z "$cmd" ]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$global" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		fi
		return
	fi
	local opts="--help"
	case $cmd in
	create) opts="--bundle --config --pid-file --console-socket --pidfd-socket --no-pivot --no-new-keyring --preserve-fds --help" ;;
	run) opts="--bundle --config --detach --keep --pid-file --console-socket --pidfd-socket --no-pivot --no-new-keyring --preserve-fds --no-subreaper --help" ;;
	exec) opts="--process --tty --detach --pid-file --console-socket --pidfd-socket --cwd --env --user --additional-gids --cap --no-new-privs --apparmor --process-label --preserve-fds --ignore-paused --cgroup --help" ;;
	kill) opts="--all --regex --help" ;;
	delete) opts="--force --regex --help" ;;
	list) opts="--format --quiet --help" ;;
	spec) opts="--bundle --rootless --help" ;;
	check) opts="--bundle --format --checkpoint --help" ;;
	ps) opts="--format --help" ;;
	events) opts="--interval --stats --help" ;;
	checkpoint) opts="--image-path --work-path --parent-path --leave-running --tcp-established --ext-unix-sk --shell-job --file-locks --pre-dump --manage-cgroups-mode --empty-ns --auto-dedup --lazy-pages --page-server --status-fd --help" ;;
	restore) opts="--image-path --work-path --bundle --detach --pid-file --console-socket --no-subreaper --no-pivot --tcp-established --ext-unix-sk --shell-job --file-locks --manage-cgroups-mode --empty-ns --auto-dedup --lazy-pages --lsm-profile --lsm-mount-context --help" ;;
	update) opts="--resources --memory --memory-reservation --memory-swap --kernel-memory --kernel-memory-tcp --cpu-shares --cpu-share --cpu-period --cpu-quota --cpu-burst --cpu-rt-period --cpu-rt-runtime --cpu-idle --cpuset-cpus --cpuset-mems --pids-limit --blkio-weight --l3-cache-schema --mem-bw-schema --help" ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return
	fi
	case $cmd in
	create | run | spec | list | features | check) ;;
	kill)
		local n=0
		for ((i = i + 1; i < cword; i++)); do [[ ${words[i]} != -* ]] && ((n++)); done
		if ((n == 1)); then
			COMPREPLY=($(compgen -W "TERM KILL INT HUP QUIT USR1 USR2 STOP CONT WINCH" -- "$cur"))
		else
			COMPREPLY=($(_husk_ids))
		fi
		;;
	*) COMPREPLY=($(_husk_ids)) ;;
	esac
}
complete -F _husk husk
