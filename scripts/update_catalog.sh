#!/usr/bin/env bash
# Re-extract the messages (optimizer/locale/rollout.pot) and merge them into the Swedish
# catalogue; then translate the new or fuzzy entries in optimizer/locale/sv/LC_MESSAGES/rollout.po
# (tests/test_i18n.py fails while any entry is empty or fuzzy).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
"$PY" -m babel.messages.frontend extract -F babel.cfg --no-location --sort-output \
    -k _ -k N_ -k ngettext:1,2 -k pgettext:1c,2 -k E_:1c,2 -o optimizer/locale/rollout.pot optimizer
"$PY" -m babel.messages.frontend update -i optimizer/locale/rollout.pot -d optimizer/locale -D rollout \
    -l sv --no-fuzzy-matching --ignore-obsolete
