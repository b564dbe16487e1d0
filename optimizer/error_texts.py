"""Error messages the catalogue translates whole (``msgctxt "error"``; see i18n.translate_error).

Each entry (``E_("error", ...)``) is the English message as the code raises it, with ``{name}`` where the code puts a
value; Babel extracts these (keyword ``E_``) into ``optimizer/locale/rollout.pot``. The module is
never needed at run time: the Swedish text is looked up by matching a raised message against the
catalogue. ``E_("word", ...)``: a value put into a message that is translated too.
Add the messages planners meet most; a message without an entry stays English.
"""

from __future__ import annotations


def E_(context: str, message: str) -> str:  # noqa: N802  (a gettext-style marker)
    return message


TEMPLATES = (
    # cells (optimizer.inputs.loaders)
    E_("error", "{what} must be a whole number, got '{value}'"),
    E_("error", "{what} must be between {lo} and {hi}, got {value}"),
    E_("error", "'{value}' is not one of: {options}"),
    E_("error", "'{value}' is not yes/no, true/false or 1/0"),
    E_("error", "the group name is empty"),
    E_("error", "'{value}' is not a method; use a ;-list of: {options}"),
    E_("error", "'{value}' is not a method; use one of: {options}"),
    E_("error", "the list of methods is empty"),
    E_("error", "the month label is empty"),
    E_("error", "the required column '{column}' is missing (found: {found}; expected columns: {expected})"),
    E_("error", "the first row has none of the expected columns ({expected}); is this the right file? "
                "(a CSV file saved from the sheet, with the column names in its first row)"),
    # files (optimizer.inputs.tables, optimizer.inputs.input_files)
    E_("error", "no such file"),
    E_("error", "this is a folder, not a file"),
    E_("error", "cannot read the file: {reason}"),
    E_("error", "the file is empty; it needs a header row and at least one data row"),
    E_("error", "the file has a header but no data rows"),
    E_("error", "the column '{column}' appears twice in the header"),
    E_("error", "the file is not valid CSV: {reason}"),
    E_("error", "this looks like a binary file, not a CSV text file; save the sheet as 'CSV UTF-8' or "
                "'CSV (semicolon separated)' and try again"),
    # the whole input (optimizer.inputs.validation)
    E_("error", "the month '{month}' appears twice (also on row {row}); months must be unique"),
    E_("error", "the group '{group}' appears twice (also on row {row}); group names must be unique"),
    E_("error", "'{month}' is not a month of {file} (months: {first} .. {last})"),
    E_("error", "earliest month {earliest} is after latest month {latest}"),
    E_("error", "'after' names an unknown group '{group}'{hint}"),
    E_("error", "'{group}' cannot come after itself"),
    E_("error", "'{group}' is a VIP group in the {wave} wave; the guide says pilot users must not be "
                "executives or VIPs (set wave to production or vip to no)"),
    # plans (optimizer.inputs.planfile) and outputs
    E_("error", "'{group}' is not a group of the groups file"),
    E_("error", "'{month}' is not a month of the capacity file (months: {first} .. {last})"),
    E_("error", "cannot write the output: {reason}"),
    E_("error", "cannot write '{path}': the suffix must be one of {suffixes}"),
    E_("error", "cannot write '{path}': the folder '{folder}' does not exist"),
    # explanations (optimizer.explain): the frame and the capacity rules
    E_("error", "{n} separate conflicts; each needs a change of its own."),
    E_("error", "Conflict {i} of {n} ({groups})"),
    E_("error", "These rules cannot all hold (a minimal set: without any one of them this conflict goes away):"),
    E_("error", "These rules cannot all hold:"),
    E_("error", "Each of these changes resolves this conflict (smallest first):"),
    E_("error", "Each of these changes gives a plan (smallest first):"),
    E_("error", "No single change of one input was found that resolves it; change several."),
    E_("error", "{month} has room for at most {n} helpdesk tickets"),
    E_("error", "{month} has room for at most {n} assisted users"),
    E_("error", "{month} has room for at most {n} tech-fair users"),
    # plan checks (optimizer.checker: rollout check)
    E_("error", "{group} has no month and method in the plan"),
    E_("error", "{group} uses {method}, but its allowed methods are {methods}"),
    E_("error", "{group} is a VIP group and must use assisted enrollment, not {method}"),
    E_("error", "{group} enrolls in {month}, before its earliest month {earliest}"),
    E_("error", "{group} enrolls in {month}, after its latest month {latest}"),
    E_("error", "{group} enrolls in {month}, one of its blackout months"),
    E_("error", "{month} needs {n} helpdesk tickets but the capacity is {cap} ({groups})"),
    # split groups (model v2)
    E_("error", "the parts of {group} add up to {total} users, but the group has {size}"),
    E_("error", "{group} enrolls from {first} to {last}, {span} months, but max_months is {most}"),
    E_("error", "{group} enrolls {users} users in {month}, fewer than the least part of {least} users "
                "(min_part_users = {rule})"),
    E_("error", "{group} uses {methods}; all parts of a group use one method"),
    # split groups in explanations (optimizer.explain.words, .changes; optimizer.explain.split_repair)
    E_("error", "{group} ({size} users) must enroll in one month (max_months = 1)"),
    E_("error", "{group} ({size} users) must enroll within {n} months (max_months = {most})"),
    E_("error", "each month's part of {group} must have at least {n} users (min_part_users)"),
    E_("error", "all parts of {group} must use the same enrollment method"),
    E_("error", "let {group} enroll over {n} months (max_months = {most}; parts of at least {least} users)"),
    E_("error", "allow smaller parts: min_part_users from {old} to {new}"),
    # words the code puts into the messages above
    E_("word", "size (users)"),
    E_("word", "readiness"),
)
