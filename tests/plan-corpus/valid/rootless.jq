# husk spec --rootless's config, with the test's process
. as $base | $rootless | .process = $base.process
