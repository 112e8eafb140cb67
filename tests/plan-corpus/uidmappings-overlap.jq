# container ids that overlap between two uid mappings
.linux.namespaces += [{"type": "user"}] | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 1000}, {"containerID": 500, "hostID": 200000, "size": 10}] | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 1000}]
