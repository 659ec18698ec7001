"""Extensions of the network model: each defined in one module."""
