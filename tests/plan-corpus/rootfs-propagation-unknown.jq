# an unknown linux.rootfsPropagation
.linux.rootfsPropagation = "sideways"
