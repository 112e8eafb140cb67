# an unknown I/O priority class
.process.ioPriority = {"class": "IOPRIO_CLASS_BOGUS", "priority": 1}
