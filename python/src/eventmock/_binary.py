"""Finding the ``eventmock`` executable the wheel installed."""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig
from pathlib import Path
from typing import List

from .errors import StartError

_EXE = "eventmock.exe" if sys.platform == "win32" else "eventmock"


def _candidates() -> List[Path]:
    found: List[Path] = []
    override = os.environ.get("EVENTMOCK_BIN")
    if override:
        return [Path(override)]
    # The wheel puts the binary in the scripts directory of the scheme it was installed with:
    # the environment's (a virtualenv's bin/), or the user's (~/.local/bin).
    found.append(Path(sysconfig.get_path("scripts")) / _EXE)
    user = f"{os.name}_user"
    if user in sysconfig.get_scheme_names():
        found.append(Path(sysconfig.get_path("scripts", user)) / _EXE)
    found.append(Path(sys.executable).parent / _EXE)
    on_path = shutil.which("eventmock")
    if on_path:
        found.append(Path(on_path))
    return found


def find_binary() -> str:
    """The path of the ``eventmock`` binary.

    ``$EVENTMOCK_BIN`` wins when set; otherwise the scripts directory the wheel installed it
    to, then ``PATH``.
    """
    candidates = _candidates()
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    tried = ", ".join(str(p) for p in candidates)
    raise StartError(f"the eventmock binary was not found (tried {tried}); set EVENTMOCK_BIN")
