# process.oomScoreAdj outside -1000..1000
.process.oomScoreAdj = 5000
