# a hostname without a uts namespace
del(.linux.namespaces[] | select(.type == "uts"))
