"""The solve strategy: tuning, budget, the lexicographic loop over levels and its steps (greedy start, window moves, LP shortening and bounds in lp/, CP-SAT searches, the path for split groups).

optimizer.solving.solver keeps the public names (solve, SolveOptions, Result, LevelResult)."""
