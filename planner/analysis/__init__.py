"""Analysis of plans: access and travel statistics, N-1 resilience, comparison of two plans."""
