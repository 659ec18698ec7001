"""Tests of :mod:`planner.maps`."""
