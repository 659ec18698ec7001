"""Reports of plans: the board report, the comparison of two plans, run folders and manifests."""
