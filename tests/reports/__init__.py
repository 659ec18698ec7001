"""Tests of :mod:`planner.reports`."""
