# a mount that is not a bind mount and has no type
.mounts += [{"destination": "/mnt", "source": "none"}]
