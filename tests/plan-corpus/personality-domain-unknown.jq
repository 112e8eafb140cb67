# an unknown personality domain
.linux.personality = {"domain": "LINUX_BOGUS"}
