"""The embedded example (the planning guide's organisation), shipped as package data.

Its one copy is ``data/example`` in the source tree; the wheel carries it as the data
package ``optimizer.example`` (``[tool.setuptools.package-dir]`` in pyproject.toml), read
here with :mod:`importlib.resources`, so ``rollout solve`` works from any folder after
``pip install .``. Run from a source tree that is not installed, ``data/example`` is used.
"""

from __future__ import annotations

import contextlib
from importlib import resources
from pathlib import Path
from typing import Iterator

from optimizer.domain import Instance
from optimizer.errors import InputError

PACKAGE = "optimizer.example"
FILES = ("groups.csv", "capacity.csv", "rules.toml")


def _source_tree() -> Path:
    return Path(__file__).resolve().parents[2] / "data" / "example"


@contextlib.contextmanager
def example_files() -> Iterator[tuple[Path, Path, Path | None]]:
    """Real paths of the example's groups, capacity and rules files (rules may be None)."""
    try:
        root = resources.files(PACKAGE)
        found = root.joinpath("groups.csv").is_file()
    except (ModuleNotFoundError, TypeError, OSError):
        found = False
    if not found:
        d = _source_tree()
        if not (d / "groups.csv").is_file():
            raise InputError("the embedded example was not found (the package was installed without its "
                             "data); pass GROUPS.csv CAPACITY.csv")
        yield d / "groups.csv", d / "capacity.csv", (d / "rules.toml") if (d / "rules.toml").is_file() else None
        return
    with contextlib.ExitStack() as stack:
        paths = [stack.enter_context(resources.as_file(root.joinpath(n))) if root.joinpath(n).is_file() else None
                 for n in FILES]
        yield paths[0], paths[1], paths[2]


def load_example(rules: str | Path | None = None) -> Instance:
    """The example as an :class:`~optimizer.domain.Instance` (``rules`` replaces its rules.toml)."""
    from optimizer.inputs.loaders import load_instance

    with example_files() as (groups, capacity, own_rules):
        return load_instance(groups, capacity, rules or own_rules, name="example")
