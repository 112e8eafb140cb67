# a relative process.cwd
.process.cwd = "work"
