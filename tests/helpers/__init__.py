"""Helpers shared by the test modules: instances, brute force, plan invariants, plan fixtures."""
