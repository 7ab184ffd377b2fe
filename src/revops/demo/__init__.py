"""The demo company: a generated B2B SaaS go-to-market, exported as its tools would.

`revops.demo.generate.generate_company` builds one; its parameters are `DemoParams`.
"""

from revops.demo.params import DefectRates, DemoParams, Regime

__all__ = ["DefectRates", "DemoParams", "Regime"]
