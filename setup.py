"""Build hook: compile the message catalogues (optimizer/locale/*/LC_MESSAGES/*.po -> .mo).

Everything else is in pyproject.toml. An editable install gets the .mo beside the .po; when a
.mo is missing or older than its .po, optimizer.i18n compiles the .po in memory on first use.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class build_py_with_catalogues(build_py):  # noqa: N801  (setuptools command naming)
    def run(self) -> None:
        super().run()
        try:
            from babel.messages.mofile import write_mo
            from babel.messages.pofile import read_po
        except ImportError:  # compiled on first use instead (optimizer.i18n)
            return
        root = Path(__file__).resolve().parent
        out_root = root if getattr(self, "editable_mode", False) else Path(self.build_lib)
        for po in sorted((root / "optimizer" / "locale").glob("*/LC_MESSAGES/*.po")):
            mo = out_root / po.relative_to(root).with_suffix(".mo")
            mo.parent.mkdir(parents=True, exist_ok=True)
            with open(po, "rb") as fh:
                catalog = read_po(fh)
            with open(mo, "wb") as fh:
                write_mo(fh, catalog)


setup(cmdclass={"build_py": build_py_with_catalogues})
