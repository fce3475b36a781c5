"""The exception raised for a problem with one input item.

A per-item problem never stops a run: the caller catches `IngestError`, skips the
item and counts it under `reason`. Run-level problems (the input folder does not
exist) are ordinary exceptions and are left to the CLI.

Reasons raised by the ingest stages:

    empty                nothing but whitespace once decoded
    binary               the bytes do not look like text
    too-large            the file on disk is over the size limit
    decompression-limit  a gzip file expands past the size limit (or is a gzip bomb)
    bad-gzip             a truncated or corrupt gzip file
    bad-json             a .json file that does not parse, or is not objects
    unsupported-type     a file that discover() marked as not ingestible
    unreadable           the operating system refused to read the file
"""

from __future__ import annotations


class IngestError(Exception):
    """One input item cannot be ingested.

    `reason` is a short, stable, machine-readable tag (used in counts and reports);
    the message says what is wrong and what to try.
    """

    def __init__(self, reason: str, message: str) -> None:
        if not reason:
            raise ValueError("IngestError needs a reason")
        # Both go into args so that the exception survives pickling (worker processes).
        super().__init__(reason, message)
        self.reason = reason
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"IngestError({self.reason!r}, {self.message!r})"
