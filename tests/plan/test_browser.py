"""The plan page and a noted chart in Chromium: each target's chart draws its target and
measured lines, and a note's dashed line is drawn on the explorer's chart."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from app.conftest import PASSWORD, Cockpit
from app.conftest import browser as browser  # Chromium, once for the module
from app.test_browser import CHROMIUM, SHOTS, VIEWPORTS
from app.test_browser import served as serve
from plan.test_app import REVOPS
from plan.test_app import served as served  # the tiny company, served
from revops.metrics import load_catalog
from revops.plan import Annotations

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")

LINES = """(box) => {
  const canvas = document.querySelector(box + " canvas");
  const chart = canvas && window.Chart.getChart(canvas);
  return chart ? {sets: chart.data.datasets.map((d) => d.label),
                  plugins: (chart.config.plugins || []).map((p) => p.id)} : null;
}"""


def test_the_plan_page_draws_target_and_measured_lines(served: Cockpit, browser: Any) -> None:
    notes = Annotations(served.root, lambda: load_catalog(served.root))
    notes.add(date(2026, 2, 3), "Price list change", metric="win_rate")
    with serve(served) as base:
        page = browser.new_context(viewport=VIEWPORTS["laptop"]).new_page()
        page.goto(f"{base}/signin?next=/plan")  # straight to the plan: no cockpit home
        page.fill("input[name=email]", REVOPS)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/plan")
        page.wait_for_selector("body[data-charts=ready]")
        for index in range(3):
            drawn = page.evaluate(LINES, f'[data-plan-chart="{index}"]')
            assert drawn["sets"] == ["Target", "Measured"]
        page.goto(f"{base}/metrics?metric=win_rate&grain=month&window=FY2026")
        page.wait_for_selector("body[data-charts=ready]")
        assert page.evaluate(LINES, "#chart")["plugins"] == ["annotations"]
        assert "Price list change" in page.inner_text("#annotations")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "plan-explorer-note.png"))
        page.context.close()
