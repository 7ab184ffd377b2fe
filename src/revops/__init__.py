"""revops: an open-source Revenue Operations engine.

One canonical model of a company's go-to-market data, one definition of every revenue
number, on DuckDB, PostgreSQL or Spark.
"""

from revops.config import RevOpsConfig
from revops.errors import RevOpsError
from revops.workspace import Workspace

__version__ = "0.1.0"

__all__ = ["RevOpsConfig", "RevOpsError", "Workspace", "__version__"]
