"""Optimisation: MILPs held as sparse arrays, and solvers whose true status and gap are read."""
