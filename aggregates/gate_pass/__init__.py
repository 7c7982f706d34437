"""The gate pass (核放单), R-GATE-1 … 13."""
