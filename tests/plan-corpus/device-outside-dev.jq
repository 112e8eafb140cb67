# a device path outside /dev
.linux.devices = [{"path": "dev/x", "type": "c", "major": 1, "minor": 3}]
