# kernel.hostname set to another value than hostname
.linux.sysctl = {"kernel.hostname": "other"}
