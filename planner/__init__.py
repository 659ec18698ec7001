"""planner: design England's PET-CT diagnostic network.

Data flows one way: inputs (embedded geodata or a planner's own files, a scenario file) ->
demand and travel times -> optimisation model -> plan -> maps and reports.
"""

__version__ = "0.1.0"
