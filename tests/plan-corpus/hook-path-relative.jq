# a createRuntime hook with a relative path
.hooks = {"createRuntime": [{"path": "bin/true"}]}
