"""Lead routing: ordered rules as code, deterministic assignment logged with its trail,
simulation of a proposed rule file, and the speed-to-lead SLA."""

from revops.routing.component import Routing
from revops.routing.directory import Directory, User, read_directory

__all__ = ["Directory", "Routing", "User", "read_directory"]
