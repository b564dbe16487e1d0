"""``--lang sv|en`` on the ``rollout`` group and on every subcommand.

``rollout --lang sv solve`` and ``rollout solve --lang sv`` both work; the subcommand's flag wins
over the group's, and either wins over the environment (LC_ALL / LC_MESSAGES / LANG).
"""

from __future__ import annotations

import click

from optimizer import i18n

HELP = "Language of the output: sv (Swedish) or en (English) [default: from LC_ALL / LANG, else en]."


def _group_lang(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    i18n.set_language(value)  # None: from the environment (each run starts afresh)
    return value


def _command_lang(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None:
        i18n.set_language(value)
    return value


def lang_option(group: bool = False) -> click.Option:
    return click.Option(["--lang"], type=click.Choice(i18n.LANGUAGES, case_sensitive=False),
                        default=None, expose_value=False, is_eager=True, help=HELP,
                        callback=_group_lang if group else _command_lang)


def add_lang_options(group: click.Group) -> None:
    """Give ``group`` and each of its commands (and their subcommands) a ``--lang`` option."""
    if not any(p.name == "lang" for p in group.params):
        group.params.insert(0, lang_option(group=True))
    stack = list(group.commands.values())
    while stack:
        cmd = stack.pop()
        if not any(p.name == "lang" for p in cmd.params):
            cmd.params.append(lang_option())
        if isinstance(cmd, click.Group):
            stack.extend(cmd.commands.values())
