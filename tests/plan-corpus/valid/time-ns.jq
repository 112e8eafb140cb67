# a time namespace with a monotonic offset
.linux.namespaces += [{"type": "time"}] | .linux.timeOffsets = {"monotonic": {"secs": 10}}
