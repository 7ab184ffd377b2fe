"""Identity resolution: the same person or company across systems, and duplicates within
one, found with Splink and kept in the warehouse's `identity` namespace.

- :mod:`~revops.identity.normalise`: normal forms of emails, domains, phones, names.
- :mod:`~revops.identity.people`, :mod:`~revops.identity.companies`: the Splink models.
- :mod:`~revops.identity.splinkmodel`: unsupervised training, scoring, clustering.
- :mod:`~revops.identity.crosswalk`: `identity.crosswalk`, `identity.pair`, `identity.run`.
- :mod:`~revops.identity.accounts`: each lead's best account.
- :mod:`~revops.identity.evaluate`: precision, recall, F1 against a demo company's truth.
"""

from revops.identity.crosswalk import RunSummary
from revops.identity.service import KINDS, Explanation, Identity, Kind

__all__ = ["KINDS", "Explanation", "Identity", "Kind", "RunSummary"]
