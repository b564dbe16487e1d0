"""rollout: optimal phased rollout plans for device management (Intune and the like).

Data flows one way: load -> validate -> model -> solve -> plan -> export.
"""

from optimizer.checker import Violation, check_plan
from optimizer.domain import Group, Instance, Month, Rules
from optimizer.inputs.embedded import load_example
from optimizer.errors import InputError
from optimizer.inputs.loaders import load_instance
from optimizer.plan import Assignment, Plan
from optimizer.solving.solver import Result, SolveOptions, solve

__all__ = [
    "Assignment", "Group", "InputError", "Instance", "Month", "Plan", "Result", "Rules",
    "SolveOptions", "Violation", "check_plan", "load_example", "load_instance", "solve",
]
__version__ = "0.1.0"
