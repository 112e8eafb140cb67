/* SPDX-License-Identifier: GPL-2.0-or-later */
/* husk: an OCI container runtime with the runc command line.
 * Global options, the command table and exit codes live here. */

#include <getopt.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cgroup-cmds.h"
#include "cmd/check-cmd.h"
#include "cmd/cmd.h"
#include "commit.h" /* made by make: HUSK_COMMIT */
#include "exe-protect.h"
#include "log.h"
#include "state.h"
#include "utils.h"

const struct husk_command husk_commands[] = {
    {"create", cmd_create,
     "create [--bundle DIR] [--config FILE] [--pid-file FILE] [--console-socket SOCK]\n"
     "            [--pidfd-socket SOCK] [--no-pivot] [--no-new-keyring] [--preserve-fds N] ID",
     "create a container; its process waits for 'start'",
     "Create a container from the bundle (default: the current directory). The\n"
     "container's init is set up and waits until 'husk start ID'.\n\n"
     "  -b, --bundle DIR        the bundle holding config.json\n"
     "  -f, --config FILE       read FILE instead of the bundle's config.json; a\n"
     "                          relative FILE is from the current directory (but\n"
     "                          \"config.json\" alone is the bundle's); paths in it\n"
     "                          are still from the bundle\n"
     "  --pid-file FILE         write the init's pid to FILE\n"
     "  --console-socket SOCK   send the pty master here (process.terminal: true)\n"
     "  --pidfd-socket SOCK     send a pidfd of the init here (as runc: SCM_RIGHTS,\n"
     "                          data \"standard\")\n"
     "  --no-pivot              move the root and chroot instead of pivot_root\n"
     "  --no-new-keyring        keep the caller's session keyring\n"
     "  --preserve-fds N        pass fds 3 .. 3+N-1 to the process"},
    {"start", cmd_start, "start ID", "start the process of a created container",
     "Start the process of a created container."},
    {"state", cmd_state, "state ID", "print a container's state as OCI state JSON",
     "Print the state of a container as OCI state JSON: ociVersion, id, status\n"
     "(creating, created, running, paused or stopped), pid, bundle, annotations."},
    {"kill", cmd_kill, "kill [--all] [--regex] ID [SIGNAL]", "send a signal to a container",
     "Send a signal (default TERM; a name like KILL or SIGKILL, or a number) to the\n"
     "container's init, or with -a/--all to every process in its cgroup.\n\n"
     "  -a, --all               every process of the container\n"
     "  -r, --regex             ID is a POSIX extended regular expression: signal\n"
     "                          every container whose id it matches (anywhere in\n"
     "                          the id; ^...$ for the whole id). None is not an\n"
     "                          error; one that fails makes the exit status 1."},
    {"delete", cmd_delete, "delete [--force] ID...\n       husk delete [--force] --regex REGEX",
     "delete a container",
     "Delete a stopped or created container. -f/--force kills a running one first,\n"
     "and deleting a container that does not exist is then not an error.\n\n"
     "  -f, --force             kill a running or paused container first\n"
     "  -r, --regex             delete every container whose id the POSIX extended\n"
     "                          regular expression REGEX matches (anywhere in the\n"
     "                          id). None is not an error; one that fails makes the\n"
     "                          exit status 1."},
    {"run", cmd_run,
     "run [--bundle DIR] [--config FILE] [--detach] [--keep] [--pid-file FILE]\n"
     "         [--console-socket SOCK] [--pidfd-socket SOCK] [--no-pivot]\n"
     "         [--no-new-keyring] [--preserve-fds N] ID",
     "create and start a container, and wait for it",
     "Create and start a container, wait for it, delete it, and exit with its code\n"
     "(128+N when it was killed by signal N). With process.terminal: true the\n"
     "terminal is proxied to husk's own. Options as for create, and:\n\n"
     "  -d, --detach            return once the container runs\n"
     "  --keep                  keep the stopped container (do not delete it)\n"
     "  --no-subreaper          accepted for runc compatibility"},
    {"exec", cmd_exec,
     "exec [options] ID COMMAND [ARG...]\n       husk exec [options] --process FILE ID",
     "run a new process in a running container",
     "Run a new process in the container's namespaces and cgroup, with the\n"
     "container's process settings (env, cwd, user, capabilities...) unless changed:\n\n"
     "  -p, --process FILE      a runtime-spec process object instead of COMMAND\n"
     "  -t, --tty               give the process a terminal\n"
     "  -d, --detach            return once it runs\n"
     "  --pid-file FILE         write its pid to FILE\n"
     "  --console-socket SOCK   send the pty master here (with --tty)\n"
     "  --pidfd-socket SOCK     send a pidfd of the process here (as runc: SCM_RIGHTS,\n"
     "                          data \"setns\")\n"
     "  --cwd DIR               working directory\n"
     "  -e, --env KEY=VALUE     set an environment variable (repeatable)\n"
     "  -u, --user UID[:GID]    run as this user\n"
     "  -g, --additional-gids GID   add a supplementary group (repeatable)\n"
     "  -c, --cap CAP           add a capability (repeatable)\n"
     "  --no-new-privs          set no_new_privs\n"
     "  --apparmor PROFILE      AppArmor profile\n"
     "  --process-label LABEL   SELinux label\n"
     "  --preserve-fds N        pass fds 3 .. 3+N-1\n"
     "  --ignore-paused         exec even when the container is paused\n"
     "  --cgroup [CONTROLLER[,CONTROLLER...]:]PATH\n"
     "                          run in this existing sub-cgroup of the container's\n"
     "                          cgroup (PATH relative to it, \"/\" is the cgroup\n"
     "                          itself): a PATH alone for every hierarchy (the only\n"
     "                          form on cgroup v2), or on cgroup v1 one --cgroup per\n"
     "                          controller list, the others staying in the\n"
     "                          container's cgroup\n\n"
     "Exit status: the process's own, 128+N when killed by signal N, 255 when it\n"
     "could not be started."},
    {"list", cmd_list, "list [--format table|json] [--quiet]", "list the containers",
     "List the containers under --root; -q/--quiet prints their ids only."},
    {"spec", cmd_spec, "spec [--bundle DIR] [--rootless]", "write a default config.json",
     "Write a default config.json (runc's defaults, hostname \"husk\") into the bundle\n"
     "directory; --rootless writes one for an unprivileged user."},
    {"pause", cmd_pause, "pause ID", "suspend every process of a container",
     "Freeze every process in the container's cgroup (cgroup v2 cgroup.freeze, v1\n"
     "freezer.state) and wait until the kernel says they are frozen. The container\n"
     "must be created or running."},
    {"resume", cmd_resume, "resume ID", "resume the processes of a paused container",
     "Thaw the processes of a container that 'husk pause' froze."},
    {"update", cmd_update,
     "update [-r FILE|-] [--memory N] [--memory-reservation N] [--memory-swap N]\n"
     "            [--kernel-memory N] [--kernel-memory-tcp N] [--cpu-shares N]\n"
     "            [--cpu-period N] [--cpu-quota N] [--cpu-burst N] [--cpu-rt-period N]\n"
     "            [--cpu-rt-runtime N] [--cpu-idle N] [--cpuset-cpus S] [--cpuset-mems S]\n"
     "            [--pids-limit N] [--blkio-weight N] [--l3-cache-schema S]\n"
     "            [--mem-bw-schema S] ID",
     "change the resource limits of a container",
     "Change the cgroup limits, and the Intel RDT schemata, of a running, paused\n"
     "or created container. Only what is given changes.\n\n"
     "  -r, --resources FILE    a JSON object with the fields of linux.resources\n"
     "                          (\"-\": standard input); the flags below go on top\n"
     "  --memory N              memory limit; sizes take k, m, g, t suffixes (512m,\n"
     "                          1.5g) and -1 for no limit\n"
     "  --memory-reservation N  soft limit (v2: memory.low)\n"
     "  --memory-swap N         memory plus swap (v2: memory.swap.max = N - memory)\n"
     "  --kernel-memory N, --kernel-memory-tcp N\n"
     "                          kernel memory limits (ignored where the kernel has none)\n"
     "  --cpu-shares N          relative CPU weight (v2: cpu.weight); also --cpu-share\n"
     "  --cpu-period N, --cpu-quota N\n"
     "                          CFS bandwidth in microseconds (v2: cpu.max)\n"
     "  --cpu-burst N           CPU time in microseconds a period may borrow from\n"
     "                          earlier ones, at most the quota (v1 cpu.cfs_burst_us,\n"
     "                          v2 cpu.max.burst; Linux 5.14 or later)\n"
     "  --cpu-rt-period N, --cpu-rt-runtime N\n"
     "                          realtime bandwidth (v1 only)\n"
     "  --cpu-idle N            1: SCHED_IDLE for the cgroup\n"
     "  --cpuset-cpus S, --cpuset-mems S\n"
     "                          CPUs and memory nodes (\"0-2,4\")\n"
     "  --pids-limit N          maximum number of processes (-1: no limit)\n"
     "  --blkio-weight N        block I/O weight, 10-1000\n"
     "  --l3-cache-schema S, --mem-bw-schema S\n"
     "                          an L3 or MB line for the schemata of the container's\n"
     "                          resctrl group (linux.intelRdt); needs resctrl with\n"
     "                          L3 or MB allocation"},
    {"ps", cmd_ps, "ps [--format table|json] ID [-- PS OPTIONS...]",
     "list the processes of a container",
     "List the processes in the container's cgroup. The table is the output of\n"
     "'ps -ef' (or of ps with the options given after the ID) cut down to the\n"
     "container's processes; without a ps program, PID and CMD from /proc.\n"
     "--format json prints the pids as a JSON array."},
    {"events", cmd_events, "events [--interval DURATION] [--stats] ID",
     "print a container's resource statistics and OOM events",
     "Print JSON lines: {\"type\":\"stats\",\"id\":ID,\"data\":{...}} every interval\n"
     "(default 5s; a duration like 500ms, 10s, 1m) and {\"type\":\"oom\",\"id\":ID}\n"
     "when the kernel's OOM killer acts in the container, until it stops.\n\n"
     "  --interval DURATION     time between stats\n"
     "  --stats                 print the statistics once and exit"},
    {"check", cmd_check, "check [--bundle DIR] [--format text|json] [--checkpoint]",
     "tell whether a bundle will run here, and why not",
     "Check the bundle (default: the current directory) against this host without\n"
     "creating anything: every config error with its JSON path, then what would stop\n"
     "the container here (rootfs, process, mounts, namespaces, capabilities, rlimits,\n"
     "seccomp, cgroups, sysctls, AppArmor/SELinux). One finding a line,\n"
     "\"error|warning|note: JSON.PATH: PROBLEM\", then a summary line. Exit status 1\n"
     "when there is an error.\n\n"
     "  -b, --bundle DIR        the bundle holding config.json\n"
     "  -f, --format text|json  for people (default) or for tools\n"
     "      --checkpoint        also whether CRIU works here, for checkpoint and restore"},
    {"features", cmd_features, "features", "print the runtime-spec features JSON",
     "Print what this build of husk supports on this host, as the runtime-spec\n"
     "features document (hooks, mount options, namespaces, capabilities, cgroup\n"
     "drivers, seccomp actions/operators/archs, AppArmor, SELinux)."},
    {"checkpoint", cmd_checkpoint,
     "checkpoint [--image-path DIR] [--work-path DIR] [--parent-path DIR]\n"
     "            [--leave-running] [--tcp-established] [--ext-unix-sk] [--shell-job]\n"
     "            [--file-locks] [--pre-dump] [--manage-cgroups-mode MODE] [--empty-ns NS]\n"
     "            [--auto-dedup] [--lazy-pages --page-server ADDR:PORT --status-fd FD] ID",
     "save a running container to disk with CRIU",
     "Checkpoint a running container with CRIU (criu swrk): its processes, their\n"
     "memory, files, mounts and namespaces go to the image directory. The container\n"
     "is then stopped ('delete' removes it), or still running with --leave-running.\n\n"
     "  --image-path DIR        where the images go (default ./checkpoint; made if missing)\n"
     "  --work-path DIR         CRIU's log (dump.log) and work files (default: DIR above)\n"
     "  --parent-path DIR       the images of an earlier --pre-dump, relative to\n"
     "                          --image-path: only what changed since is saved\n"
     "  --leave-running         keep the container running after the checkpoint\n"
     "  --pre-dump              save the memory only, and keep running (for an\n"
     "                          iterative migration ending with --parent-path)\n"
     "  --tcp-established       save established TCP connections\n"
     "  --ext-unix-sk           allow unix sockets connected outside the container\n"
     "  --shell-job             allow a process that has a terminal from outside\n"
     "  --file-locks            save file locks\n"
     "  --manage-cgroups-mode soft|full|strict|ignore\n"
     "                          what CRIU saves of the cgroups (default soft)\n"
     "  --empty-ns network      save the network namespace as empty: whoever restores\n"
     "                          sets it up again\n"
     "  --auto-dedup            free the parent images' pages the new images replace\n"
     "  --lazy-pages            keep the memory back, to be served on demand by\n"
     "  --page-server ADDR:PORT  CRIU's page server (with --lazy-pages)\n"
     "  --status-fd FD          write a byte to FD once the page server is ready\n\n"
     "Needs CRIU ('criu check' must pass; --criu PATH names the program)."},
    {"restore", cmd_restore,
     "restore [--image-path DIR] [--work-path DIR] [--bundle DIR] [--detach]\n"
     "            [--pid-file FILE] [--console-socket SOCK] [--tcp-established]\n"
     "            [--ext-unix-sk] [--shell-job] [--file-locks] [--manage-cgroups-mode MODE]\n"
     "            [--empty-ns NS] [--auto-dedup] [--lazy-pages] [--lsm-profile TYPE:NAME]\n"
     "            [--lsm-mount-context CTX] [--no-subreaper] [--no-pivot] ID",
     "restore a container from a checkpoint",
     "Make container ID from the bundle's config.json and the images of a\n"
     "checkpoint: CRIU restores the processes into the configured cgroup, with the\n"
     "configured limits, and the container is running. Without --detach husk\n"
     "waits for it, deletes it and exits with its code, as 'run' does.\n\n"
     "  --image-path DIR        the checkpoint's images (default ./checkpoint)\n"
     "  --work-path DIR         CRIU's log (restore.log) (default: the image dir)\n"
     "  -b, --bundle DIR        the bundle (default: the current directory)\n"
     "  -d, --detach            return once the container runs\n"
     "  --pid-file FILE         write the restored init's pid to FILE\n"
     "  --console-socket SOCK   send the restored terminal's new pty master here\n"
     "  --tcp-established, --ext-unix-sk, --shell-job, --file-locks,\n"
     "  --manage-cgroups-mode MODE, --empty-ns NS, --auto-dedup, --lazy-pages\n"
     "                          as for checkpoint (give the same ones)\n"
     "  --lsm-profile TYPE:NAME  restore with this AppArmor or SELinux profile\n"
     "  --lsm-mount-context CTX  the SELinux context of the restored mounts\n"
     "  --no-subreaper, --no-pivot  accepted for runc compatibility\n\n"
     "Needs CRIU ('criu check' must pass; --criu PATH names the program)."},
    {NULL, NULL, NULL, NULL, NULL},
};

static void print_usage(FILE *f) {
  fputs("Usage: husk [global options] COMMAND [options] [arguments]\n\n"
        "An OCI container runtime.\n\nCommands:\n",
        f);
  for (const struct husk_command *c = husk_commands; c->name; c++)
    fprintf(f, "  %-8s %s\n", c->name, c->brief);
  fputs("\nGlobal options:\n"
        "  --root DIR               state directory (default /run/husk; as a user\n"
        "                           $XDG_RUNTIME_DIR/husk)\n"
        "  --log FILE               also write diagnostics to FILE\n"
        "  --log-format text|json   format of the --log file (default text)\n"
        "  --debug                  debug output, with a timing line per setup phase\n"
        "  --systemd-cgroup         cgroupsPath is slice:prefix:name, and systemd makes\n"
        "                           the cgroup: a transient unit prefix-name.scope in that\n"
        "                           slice, asked for over D-Bus (--cgroup-manager systemd)\n"
        "  --cgroup-manager cgroupfs|systemd|disabled\n"
        "                           cgroupfs: husk makes the cgroup itself (with\n"
        "                           --systemd-cgroup: where systemd would put it, without\n"
        "                           asking systemd); disabled: no cgroup at all\n"
        "  --rootless true|false|auto  true: 'spec' writes a rootless config\n"
        "  --criu PATH              the CRIU program for checkpoint and restore\n"
        "                           (default: criu, found on PATH)\n"
        "  -v, --version            print the version\n"
        "  -h, --help               print this help\n\n"
        "'husk COMMAND --help' or 'husk help COMMAND' describes a command.\n",
        f);
}

static void print_version(void) {
  const struct scmp_version *v = seccomp_version();
  printf("husk version %s\n", PACKAGE_VERSION);
  if (HUSK_COMMIT[0] != '\0')
    printf("commit: %s\n", HUSK_COMMIT);
  printf("spec: %s\n", HUSK_OCI_VERSION);
  if (v)
    printf("libseccomp: %u.%u.%u\n", v->major, v->minor, v->micro);
}

int main(int argc, char **argv) {
  static const struct option longopts[] = {
      {"root", required_argument, NULL, 'r'},
      {"log", required_argument, NULL, 'l'},
      {"log-format", required_argument, NULL, 'F'},
      {"debug", no_argument, NULL, 'D'},
      {"systemd-cgroup", no_argument, NULL, 'S'},
      {"cgroup-manager", required_argument, NULL, 'M'},
      {"rootless", required_argument, NULL, 'R'},
      {"criu", required_argument, NULL, 'C'},
      {"version", no_argument, NULL, 'v'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  husk_lib_init(argc, argv); /* before getopt reorders argv */
  struct husk_context ctx = {.cgroup_manager = HUSK_CGROUP_MANAGER_CGROUPFS};
  const char *log_path = NULL;
  bool log_json = false, debug = false;
  bool manager_given = false; /* --cgroup-manager wins over --systemd-cgroup */
  _cleanup_free_ char *default_root = NULL;

  opterr = 0;
  int c;
  /* "+": stop at the command; its options are its own. */
  while ((c = getopt_long(argc, argv, "+:vh", longopts, NULL)) != -1) {
    switch (c) {
    case 'r':
      ctx.root = optarg;
      break;
    case 'l':
      log_path = optarg;
      break;
    case 'F':
      if (strcmp(optarg, "json") == 0)
        log_json = true;
      else if (strcmp(optarg, "text") != 0) {
        husk_error_log("--log-format: expected text or json, got \"%s\"", optarg);
        return 1;
      }
      break;
    case 'D':
      debug = true;
      break;
    case 'S':
      ctx.systemd_cgroup = true;
      if (!manager_given)
        ctx.cgroup_manager = HUSK_CGROUP_MANAGER_SYSTEMD;
      break;
    case 'M':
      manager_given = true;
      if (strcmp(optarg, "cgroupfs") == 0)
        ctx.cgroup_manager = HUSK_CGROUP_MANAGER_CGROUPFS;
      else if (strcmp(optarg, "systemd") == 0)
        ctx.cgroup_manager = HUSK_CGROUP_MANAGER_SYSTEMD;
      else if (strcmp(optarg, "disabled") == 0)
        ctx.cgroup_manager = HUSK_CGROUP_MANAGER_DISABLED;
      else {
        husk_error_log("--cgroup-manager: expected cgroupfs, systemd or disabled, got \"%s\"",
                       optarg);
        return 1;
      }
      break;
    case 'R':
      if (strcmp(optarg, "true") == 0)
        ctx.rootless = true;
      else if (strcmp(optarg, "false") == 0 || strcmp(optarg, "auto") == 0)
        ctx.rootless = false;
      else {
        husk_error_log("--rootless: expected true, false or auto, got \"%s\"", optarg);
        return 1;
      }
      break;
    case 'C':
      ctx.criu = optarg;
      break;
    case 'v':
      print_version();
      return 0;
    case 'h':
      print_usage(stdout);
      return 0;
    default: {
      _cleanup_free_ char *problem = cmd_option_problem(c, argv, "global ");
      husk_error_log("%s (see 'husk --help')", problem);
      return 1;
    }
    }
  }
  if (husk_log_init(log_path, log_json, debug) < 0)
    return 1;
  if (ctx.root == NULL)
    ctx.root = default_root = husk_default_root();
  if (optind >= argc) {
    print_usage(stderr);
    return 1;
  }
  const char *name = argv[optind];
  /* husk help [COMMAND]: the same text as --help. */
  if (strcmp(name, "help") == 0) {
    if (optind + 1 >= argc) {
      print_usage(stdout);
      return 0;
    }
    for (const struct husk_command *cmd = husk_commands; cmd->name; cmd++)
      if (strcmp(cmd->name, argv[optind + 1]) == 0) {
        cmd_print_help(cmd->name);
        return 0;
      }
    husk_error_log("help: unknown command \"%s\" (see 'husk --help')", argv[optind + 1]);
    return 1;
  }
  for (const struct husk_command *cmd = husk_commands; cmd->name; cmd++) {
    if (strcmp(cmd->name, name) != 0)
      continue;
    return cmd->fn(&ctx, argc - optind, argv + optind);
  }
  husk_error_log("unknown command \"%s\" (see 'husk --help')", name);
  return 1;
}
