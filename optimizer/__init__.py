"""rollout: optimal phased rollout plans for device management (Intune and the like).

Data flows one way: load -> validate -> model -> solve -> plan -> export.
"""

from .checker import Violation, check_plan
from .domain import Group, Instance, Month, Rules
from .embedded import load_example
from .errors import InputError
from .loaders import load_instance
from .plan import Assignment, Plan
from .solver import Result, SolveOptions, solve

__all__ = [
    "Assignment", "Group", "InputError", "Instance", "Month", "Plan", "Result", "Rules",
    "SolveOptions", "Violation", "check_plan", "load_example", "load_instance", "solve",
]
__version__ = "0.1.0"
