"""Research code kept out of the product package (optimizer): experiments and checks that
the solver does not run. Importable from the repository root (tests set ``pythonpath``)."""
