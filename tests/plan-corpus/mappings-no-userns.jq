# uid and gid mappings without a user namespace
.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 10}] | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 10}]
