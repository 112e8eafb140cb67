# MPOL_BIND without nodes
.linux.memoryPolicy = {"mode": "MPOL_BIND"}
