# a seccomp defaultErrnoRet above 65535
.linux.seccomp = {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 70000}
