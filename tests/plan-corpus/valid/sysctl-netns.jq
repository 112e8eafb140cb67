# net.ipv4.ip_forward in a new network namespace
.linux.sysctl = {"net.ipv4.ip_forward": "1"}
