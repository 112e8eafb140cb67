# an rlimit whose soft limit is above its hard one
.process.rlimits[0].soft = 2048
