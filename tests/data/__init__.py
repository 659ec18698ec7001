"""Tests of :mod:`planner.data`."""
