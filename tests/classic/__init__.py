"""Tests of :mod:`planner.classic`."""
