# the host's network namespace
del(.linux.namespaces[] | select(.type == "network"))
