# an unknown capability name
.process.capabilities.bounding += ["CAP_BOGUS"]
