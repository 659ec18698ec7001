"""Inputs: the embedded England data, a planner's own files, their checks, demand and travel."""
