# an unknown seccomp action of a syscall rule
.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["reboot"], "action": "SCMP_ACT_BOGUS"}]}
