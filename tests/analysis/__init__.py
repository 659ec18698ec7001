"""Tests of :mod:`planner.analysis`."""
