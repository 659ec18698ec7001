"""Reports of plans: board report, comparison, run manifest, and files written atomically."""
