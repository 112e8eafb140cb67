# no mount namespace, but maskedPaths and readonlyPaths (they need one)
del(.linux.namespaces[] | select(.type == "mount"))
