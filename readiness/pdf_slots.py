"""At most PDF_MAX_RENDERS PDFs rendered at once on this server, across all workers.

Each render holds one of N lock files under instance/ (``flock``, released by the kernel
even if the worker dies). When every slot is taken the caller gets ``PdfBusy`` at once,
so a burst of renders leaves workers free to serve the other pages.
"""

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class PdfBusy(Exception):
    """Every render slot is taken; try again in a moment."""


@contextmanager
def render_slot(folder: str | os.PathLike, slots: int) -> Iterator[int]:
    """Hold a free render slot for the duration of the block, or raise PdfBusy."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(max(slots, 1)):
        fd = os.open(folder / f"pdf-render-{number}.lock", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        try:
            yield number
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
        return
    raise PdfBusy()
