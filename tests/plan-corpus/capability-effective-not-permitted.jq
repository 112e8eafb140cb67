# an effective capability that is not permitted (capset refuses it)
.process.capabilities.effective += ["CAP_SYS_ADMIN"]
