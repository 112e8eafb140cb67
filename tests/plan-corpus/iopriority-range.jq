# an I/O priority outside 0-7
.process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 99}
