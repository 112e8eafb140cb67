# a sysctl that is in no namespace of the container (it would change the host)
.linux.sysctl = {"vm.swappiness": "10"}
