# root.readonly false
.root.readonly = false
