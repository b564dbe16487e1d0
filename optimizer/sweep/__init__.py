"""rollout sweep: the sweep file, the engines (local processes or Ray), the Pareto front and the reports."""
