"""The solve strategy: its thresholds (tuning), its budget, its steps and the lexicographic loop.

optimizer.solver keeps the public names (solve, SolveOptions, Result, LevelResult)."""
