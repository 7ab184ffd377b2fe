"""Read source files into rows of text: CSV and other delimited text, JSON Lines,
Parquet, Excel workbooks, Salesforce sObject tree JSON and Stripe API objects (lists or
JSON Lines).

Every record of a file ends up either in :attr:`SourceRows.rows` or as a
:class:`ReadProblem`; bad content never raises.
"""

from revops.ingest.readers.base import (
    LEFT_OUT,
    ROW,
    SUPPORTED_SUFFIXES,
    ReadError,
    ReadProblem,
    RepeatedHeader,
    SourceRows,
    find_files,
)
from revops.ingest.readers.formats import read_file, read_files
from revops.ingest.readers.stripe import holds_stripe_objects

__all__ = [
    "LEFT_OUT",
    "ROW",
    "SUPPORTED_SUFFIXES",
    "ReadError",
    "ReadProblem",
    "RepeatedHeader",
    "SourceRows",
    "find_files",
    "holds_stripe_objects",
    "read_file",
    "read_files",
]
