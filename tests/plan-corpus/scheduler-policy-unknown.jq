# an unknown scheduler policy
.process.scheduler = {"policy": "SCHED_BOGUS"}
