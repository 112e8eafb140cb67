# a domainname without a uts namespace
del(.hostname) | .domainname = "example" | del(.linux.namespaces[] | select(.type == "uts"))
