# a character device (the null device under another name)
.linux.devices = [{"path": "/dev/null2", "type": "c", "major": 1, "minor": 3, "fileMode": 438}]
