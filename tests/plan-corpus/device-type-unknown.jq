# a device of type "q"
.linux.devices = [{"path": "/dev/x", "type": "q", "major": 1, "minor": 3}]
