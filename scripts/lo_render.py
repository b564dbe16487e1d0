#!/usr/bin/env python3
"""Render workbooks as a planner sees them on paper: headless LibreOffice -> PDF, then
pdftotext (the text of each page) and pdftoppm (a page as PNG).

Used by tests/test_workbook_print.py and scripts/render_plan_sheet.py. Each conversion
runs with a LibreOffice profile of its own (a temporary folder), so parallel runs don't
clash over ~/.config/libreoffice.

    python scripts/lo_render.py plan.xlsx [more.xlsx ...] --out /tmp/pdf   # PDFs and page counts

Needs ``soffice`` (Debian: libreoffice-calc-nogui or libreoffice-calc) and poppler-utils.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

SOFFICE_NAMES = ("soffice", "libreoffice")


def soffice() -> str | None:
    return next((p for p in map(shutil.which, SOFFICE_NAMES) if p), None)


def missing_tools() -> list[str]:
    """The programs this module needs that are not installed."""
    out = [] if soffice() else ["soffice (LibreOffice)"]
    return out + [t for t in ("pdftotext", "pdftoppm") if not shutil.which(t)]


def to_pdf(workbooks: list[Path], out_dir: Path, timeout: float = 300) -> list[Path]:
    """Convert workbooks to PDF (one LibreOffice start for all); returns the PDF paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="rollout-lo-profile-") as profile:
        cmd = [soffice(), f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", str(out_dir), *map(str, workbooks)]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    pdfs = [out_dir / (Path(w).stem + ".pdf") for w in workbooks]
    missing = [p for p in pdfs if not p.is_file()]
    if done.returncode != 0 or missing:
        raise RuntimeError(f"LibreOffice did not convert {missing or workbooks} (exit {done.returncode}): "
                           f"{done.stdout.strip()} {done.stderr.strip()}")
    return pdfs


def page_texts(pdf: Path) -> list[str]:
    """The text of each page, in drawing order (pdftotext -raw: a cell's lines together)."""
    text = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          check=True).stdout.decode("utf-8")
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def shows_sheet(text: str, sheet: str) -> bool:
    """Whether a page (its text) belongs to ``sheet``: the print header's right part, the
    sheet's name, ends the page's first line."""
    first = text.strip().split("\n", 1)[0].strip()
    return first == sheet or first.endswith(" " + sheet)


def to_png(pdf: Path, page: int, out: Path, dpi: int = 110) -> Path:
    """Page ``page`` (1-based) of ``pdf`` as a PNG at ``out``."""
    prefix = out.with_suffix("")
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile",
                    str(pdf), str(prefix)], check=True, capture_output=True)
    return prefix.with_suffix(".png")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("workbooks", nargs="+", type=Path)
    ap.add_argument("--out", type=Path, default=Path("."))
    args = ap.parse_args()
    if missing_tools():
        raise SystemExit("missing: " + ", ".join(missing_tools()))
    started = time.perf_counter()
    pdfs = to_pdf(args.workbooks, args.out)
    print(f"converted {len(pdfs)} workbook(s) in {time.perf_counter() - started:.1f} s")
    for pdf in pdfs:
        print(f"{pdf}: {len(page_texts(pdf))} pages")


if __name__ == "__main__":
    main()
