# a sysctl name with an empty component
.linux.sysctl = {"net..x": "1"}
