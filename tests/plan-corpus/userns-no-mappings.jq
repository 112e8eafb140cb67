# a new user namespace without mappings
.linux.namespaces += [{"type": "user"}]
