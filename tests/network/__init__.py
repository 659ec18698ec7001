"""Tests of :mod:`planner.network`."""
