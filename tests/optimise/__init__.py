"""Tests of :mod:`planner.optimise`."""
