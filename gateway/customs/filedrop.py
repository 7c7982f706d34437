"""The single window client's file drop: OutBox, SentBox, FailBox, InBox.

The enterprise side drops outbound messages into ``OutBox``; the client sends
them and moves them to ``SentBox`` (or ``FailBox``), and writes what comes back
(``Successed_``/``Failed_`` acknowledgements and customs receipts) into
``InBox``. ``FileDrop`` plays the enterprise side: it drops messages atomically
(a temporary name, then a rename, so the client never reads half a file), and
collects the ``InBox``: each file is handed to a receiver, then moved to
``InBox/done``, or to ``InBox/refused`` with a ``.reason`` file beside it when it
could not be read.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bonded.errors import MessageError

FOLDERS = ("OutBox", "SentBox", "FailBox", "InBox")


@dataclass(frozen=True)
class Collected:
    """What one collection did with the InBox."""

    done: tuple[str, ...]
    refused: tuple[str, ...]


class FileDrop:
    """The folders of one IC card's single-window client."""

    def __init__(self, root: Path) -> None:
        self.root = root
        for folder in (*FOLDERS, "InBox/done", "InBox/refused"):
            (root / folder).mkdir(parents=True, exist_ok=True)

    def folder(self, name: str) -> Path:
        """One of the client's folders."""
        return self.root / name

    def drop(self, name: str, content: bytes) -> Path:
        """Put an outbound message into the OutBox, atomically."""
        if Path(name).name != name or name.startswith("."):
            raise MessageError(f"not a plain file name: {name!r}", field="name")
        target = self.folder("OutBox") / name
        partial = target.with_name(f".{name}.partial")
        partial.write_bytes(content)
        os.replace(partial, target)
        return target

    def collect(self, receive: Callable[[bytes], object]) -> Collected:
        """Hand every InBox file to ``receive``, oldest first, and file it away."""
        inbox = self.folder("InBox")
        files = sorted(
            (p for p in inbox.iterdir() if p.is_file() and not p.name.startswith(".")),
            key=lambda p: (p.stat().st_mtime, p.name),
        )
        done, refused = [], []
        for path in files:
            try:
                receive(path.read_bytes())
            except MessageError as error:
                os.replace(path, inbox / "refused" / path.name)
                (inbox / "refused" / f"{path.name}.reason").write_text(str(error))
                refused.append(path.name)
                continue
            os.replace(path, inbox / "done" / path.name)
            done.append(path.name)
        return Collected(tuple(done), tuple(refused))
