# linux.rootfsPropagation rslave
.linux.rootfsPropagation = "rslave"
