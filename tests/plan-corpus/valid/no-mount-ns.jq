# the caller's mount namespace, without masked and readonly paths
del(.linux.namespaces[] | select(.type == "mount")) | del(.linux.maskedPaths, .linux.readonlyPaths)
