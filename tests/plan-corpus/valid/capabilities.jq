# CAP_SYS_ADMIN in every set
.process.capabilities |= with_entries(.value += ["CAP_SYS_ADMIN"])
