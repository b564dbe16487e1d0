"""Re-planning with actuals (rollout replan): actuals, history, observed ticket rates, the previous plan and the changes level."""
