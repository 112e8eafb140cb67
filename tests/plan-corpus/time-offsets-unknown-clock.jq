# a time offset for an unknown clock
.linux.namespaces += [{"type": "time"}] | .linux.timeOffsets = {"bogus": {"secs": 1}}
