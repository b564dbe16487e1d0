"""Words a planner may type in an input cell, in English or Swedish, and the value they mean.

Inputs stay language-neutral (the canonical values of :mod:`optimizer.domain`); these are
accepted too, case-insensitively, whatever ``--lang`` is. The Swedish words are the planning
guide's (Begränsat pilottest, Utökat pilottest, Självbetjäning, Assisterad, IT-teknikmässa) and
their short forms.
"""

from __future__ import annotations

WAVE_WORDS = {
    "limited pilot": "pilot", "begränsat pilottest": "pilot", "begränsad pilot": "pilot", "pilottest": "pilot",
    "expanded pilot": "expanded-pilot", "utökad pilot": "expanded-pilot", "utökat pilottest": "expanded-pilot",
    "utökat pilot": "expanded-pilot",
    "produktion": "production", "produktionsdistribution": "production",
}
METHOD_WORDS = {
    "self service": "self-service", "selfservice": "self-service", "självbetjäning": "self-service",
    "självbetjäning för användare": "self-service",
    "assisterad": "assisted", "registrering med användarhjälp": "assisted",
    "tech fair": "tech-fair", "techfair": "tech-fair", "tech_fair": "tech-fair", "it tech fair": "tech-fair",
    "teknikmässa": "tech-fair", "it-teknikmässa": "tech-fair",
}
RISK_WORDS = {"låg": "low", "medel": "medium", "mellan": "medium", "hög": "high"}
PLATFORM_WORDS = {"blandad": "mixed", "blandat": "mixed", "blandade": "mixed"}


def canonical(text: str, words: dict[str, str]) -> str:
    """The canonical value of ``text`` (lower-cased; a known word replaced by its value)."""
    v = " ".join(text.strip().lower().split())
    return words.get(v, v)
