"""The network model: inputs, the MILP of scanners, sites and mobile days, and its plan."""

from planner.network.inputs import NetworkInputs
from planner.network.model import ModelSize, NetworkModel

__all__ = ["ModelSize", "NetworkInputs", "NetworkModel"]
