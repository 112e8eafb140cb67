# a cgroupsPath that climbs out with ..
.linux.cgroupsPath = "/husk/../../x"
