"""The ``assaykit`` command line: parse options, call the library, print.

Every heavy import happens inside the command that needs it, so ``assaykit --help`` starts fast. Any
user error (``AssayInputError``, a usage error, or a file-system error) is printed as one line,
``Error: ...``, with exit status 2 and no traceback. Anything else is a bug in assaykit: one line that says
so, exit status 1, and the traceback only with ``ASSAYKIT_TRACEBACK=1`` in the environment.

:data:`main` is the ``assaykit`` command (the entry point ``assaykit.cli:main``). Its modules:

* :mod:`~assaykit.cli.root`: the root group, ``--version`` and the one-line errors;
* :mod:`~assaykit.cli.options`: the options several commands share;
* :mod:`~assaykit.cli.echo`: what the commands print after a run (warnings, notes, files written);
* one module per command: :mod:`~assaykit.cli.binding`, :mod:`~assaykit.cli.saturation`,
  :mod:`~assaykit.cli.tracking` (``epm`` and ``ldb``), :mod:`~assaykit.cli.compare`, :mod:`~assaykit.cli.pk`,
  :mod:`~assaykit.cli.trial`, :mod:`~assaykit.cli.report`, :mod:`~assaykit.cli.protocols`,
  :mod:`~assaykit.cli.info`.
"""

from __future__ import annotations

from assaykit.cli import binding, compare, info, pk, protocols, report, saturation, tracking, trial
from assaykit.cli.root import main

# the commands join the group here; the package's names stay its modules (``assaykit.cli.binding`` ...)
for _command in (
    binding.binding,
    saturation.saturation,
    tracking.epm,
    tracking.ldb,
    compare.compare,
    pk.pk,
    trial.trial,
    report.report,
    protocols.protocols,
    info.info,
):
    main.add_command(_command)

__all__ = ["main"]
