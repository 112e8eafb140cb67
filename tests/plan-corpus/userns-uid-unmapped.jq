# process.user.uid outside the uid mappings of a new user namespace
.linux.namespaces += [{"type": "user"}] | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 1000}] | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 1000}] | .process.user.uid = 5000
