# husk spec's config as it is (readonly rootfs, every namespace but user)
.
