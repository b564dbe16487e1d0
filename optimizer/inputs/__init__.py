"""Inputs: reading groups, capacity and rules (CSV, input workbooks, scenarios, plan files) and checking them, with errors that name file, row and column."""
