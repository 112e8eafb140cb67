# an unknown seccomp defaultAction
.linux.seccomp = {"defaultAction": "SCMP_ACT_BOGUS"}
