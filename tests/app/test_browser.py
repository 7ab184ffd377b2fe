"""The cockpit in headless Chromium: sign in, every page, window and slice, drill-down,
export; one screenshot per page and viewport in artifacts/screenshots/ (git-ignored)."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from app.conftest import AS_OF, MANAGER, PASSWORD, QUARTER, REP, YEAR, Cockpit, serving
from revops import Workspace

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORTS = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's chromium at /usr/bin/chromium (.ci/run installs it)",
)


@pytest.fixture(scope="module")
def backtested(demo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cockpit]:
    """A copy of the demo company with a small stored backtest (2 completed quarters), so
    the forecast page draws its accuracy chart; the shared company stays without one."""
    root = tmp_path_factory.mktemp("backtested") / "ws"
    shutil.copytree(demo_root, root, ignore=shutil.ignore_patterns("app.db*"))
    ws = Workspace.open(root)
    try:
        ws.forecast.backtest(periods=2, as_of=AS_OF)
    finally:
        ws.close()
    with serving(root) as served:
        yield served


@pytest.fixture(scope="module")
def base_url(backtested: Cockpit) -> Iterator[str]:
    """The cockpit served by uvicorn on a free loopback port, in a thread."""
    with served(backtested) as url:
        yield url


@contextmanager
def served(cockpit: Cockpit) -> Iterator[str]:
    """`cockpit` served by uvicorn on a free loopback port, in a thread: its base URL."""
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(cockpit.app, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def _page(browser: Any, base_url: str, viewport: str, email: str) -> Any:
    context = browser.new_context(viewport=VIEWPORTS[viewport], accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{base_url}/")
    assert page.url.endswith("/signin")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/")
    return page


CHART_STATE = """(selector) => {
  const canvas = document.querySelector(selector + " canvas");
  const chart = canvas && window.Chart.getChart(canvas);
  if (!chart) return null;
  const scales = {};
  for (const [id, scale] of Object.entries(chart.scales)) {
    scales[id] = {title: scale.options.title.display ? scale.options.title.text : null,
                  ticks: scale.ticks.map((t) => String(t.label))};
  }
  // Painted pixels: a chart that failed to draw leaves its canvas blank.
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
  return {
    type: chart.config.type, indexAxis: chart.options.indexAxis, scales: scales,
    datasets: chart.data.datasets.map((d, k) => ({label: d.label,
      drawn: chart.getDatasetMeta(k).data.filter((e) => !e.skip).length})),
    legend: chart.legend && chart.options.plugins.legend.display !== false
      ? chart.legend.legendItems.map((i) => i.text) : [],
    labels: chart.data.labels, painted: painted / (canvas.width * canvas.height),
  };
}"""


def _chart(page: Any, selector: str, least: float = 0.01) -> dict[str, Any]:
    """What Chart.js drew in the container `selector`: type, scales (title, tick labels),
    datasets (label, elements drawn), legend labels and the share of painted pixels (at
    least `least`)."""
    state = page.evaluate(CHART_STATE, selector)
    assert state is not None, f"no chart drawn in {selector}"
    assert state["painted"] > least, f"{selector}: the canvas is blank"
    # Bars lie down (categories on y) on a phone when their names are long.
    across = state["indexAxis"] == "y"
    state["categories"] = state["scales"]["y" if across else "x"]
    state["values"] = state["scales"]["x" if across else "y"]
    return dict(state)


def _view(page: Any) -> dict[str, Any]:
    """The page's view model, as embedded for the charts (the same as its JSON twin)."""
    return dict(page.evaluate("JSON.parse(document.getElementById('view-data').textContent)"))


def _goto(page: Any, url: str) -> None:
    """Open a page and wait until its charts are drawn (charts.js marks the body)."""
    page.goto(url)
    page.wait_for_selector("body[data-charts=ready]")


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    # Nothing wider than the screen: tables scroll inside their card.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{name}: the page is {overflow}px wider than the screen"


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_every_page_renders_with_charts_and_screenshots(
    browser: Any, base_url: str, viewport: str
) -> None:
    page = _page(browser, base_url, viewport, "admin@example.com")
    _goto(page, f"{base_url}/?window={YEAR}")
    assert page.locator(".kpi").count() == 6
    for k, card in enumerate(_view(page)["cards"]):
        # A trend with one value (NRR of a company two years old, by year) is a dot.
        lone = sum(p["value"] is not None for p in card["trend"]) == 1
        spark = _chart(page, f"[data-spark='{k}']", least=0.001 if lone else 0.01)
        assert spark["type"] == "line"
        assert spark["labels"] == [p["period"] for p in card["trend"]]
        assert spark["datasets"][0]["drawn"] == sum(p["value"] is not None for p in card["trend"])
    _shot(page, f"home-{viewport}")

    _goto(page, f"{base_url}/metrics?metric=bookings&window={YEAR}&grain=quarter&by=segment")
    view, chart = _view(page), _chart(page, "#chart")
    segments = [s["name"] for s in view["series"]]
    assert len(segments) >= 2
    assert chart["type"] == "line"
    assert chart["legend"] == segments  # a legend entry per segment
    assert [d["label"] for d in chart["datasets"]] == segments
    assert chart["labels"] == view["periods"]
    assert chart["scales"]["x"]["title"] == "quarter"
    assert chart["scales"]["y"]["title"] == "Bookings"
    money = chart["values"]["ticks"]
    assert len(money) >= 3
    assert all(t == "$0" or (t.startswith("$") and t[-1] in "kMB") for t in money), money
    _shot(page, f"metrics-{viewport}")

    _goto(page, f"{base_url}/funnel?window={YEAR}")
    view, chart = _view(page), _chart(page, "#funnel-chart")
    assert chart["legend"] == ["Entered the stage", "Went on to a later stage"]
    assert chart["labels"] == [s["label"] for s in view["stages"]]
    assert chart["categories"]["ticks"] == chart["labels"]  # every stage named in full
    assert chart["values"]["title"] == "people"
    assert chart["categories"]["title"] == ("lifecycle stage" if viewport == "laptop" else None)
    _shot(page, f"funnel-{viewport}")

    page.goto(f"{base_url}/metrics/rows?metric=won_deals&window={YEAR}")
    assert page.locator("table tbody tr").count() > 0
    _shot(page, f"rows-{viewport}")

    _goto(page, f"{base_url}/pipeline?window={QUARTER}")
    view = _view(page)
    stages = _chart(page, "#stage-chart")
    assert stages["type"] == "bar"
    assert stages["legend"] == ["Open amount", "Weighted amount"]
    assert stages["labels"] == list(dict.fromkeys(s["stage"] for s in view["stages"]))
    assert all(t.startswith("$") for t in stages["values"]["ticks"])
    flow = _chart(page, "#waterfall-chart")
    steps = [w["step"].replace("_", " ") for w in view["waterfall"]]
    assert len(steps) >= 3
    assert flow["legend"] == ["open pipeline", "adds", "takes"]
    assert flow["datasets"][0]["drawn"] == len(steps)  # a floating bar per step
    # On a phone the bars lie down, so each step's name reads in full beside its bar.
    assert flow["indexAxis"] == ("y" if viewport == "phone" else "x")
    assert flow["categories"]["ticks"] == steps
    owners = page.locator("#stalled-table tbody tr td:nth-child(2)").all_inner_texts()
    assert owners == [d["owner_name"] for d in view["stalled"]]
    assert not {d["owner_id"] for d in view["stalled"]} & set(owners)  # names, not ids
    _shot(page, f"pipeline-{viewport}")

    _goto(page, f"{base_url}/forecast?period={QUARTER}")
    view = _view(page)
    methods = [m["method"] for m in view["methods"]]
    call = _chart(page, "#range-chart")
    assert call["legend"] == ["P10–P90 range", "P50"]
    assert call["scales"]["x"]["ticks"] == methods
    assert [d["drawn"] for d in call["datasets"]] == [len(methods), len(methods)]
    assert all(t.startswith(("$", "-$")) for t in call["scales"]["y"]["ticks"])
    accuracy = _chart(page, "#backtest-chart")
    tested = list(dict.fromkeys(b["method"] for b in view["backtest"]))
    weeks = sorted({b["week"] for b in view["backtest"]})
    assert len(tested) >= 3
    assert len(weeks) >= 12  # every week of a quarter
    assert accuracy["type"] == "line"
    assert accuracy["legend"] == tested
    assert accuracy["labels"] == [str(w) for w in weeks]
    assert accuracy["scales"]["x"]["title"] == "week of the period"
    assert accuracy["scales"]["y"]["title"] == "median accuracy"
    assert all(t.endswith("%") for t in accuracy["scales"]["y"]["ticks"])
    assert page.locator("#backtest-table tbody tr").count() == len(view["backtest"])
    _shot(page, f"forecast-{viewport}")

    _goto(page, f"{base_url}/quality")
    view = _view(page)
    scores = _chart(page, "#quality-chart")
    assert scores["labels"] == [e["name"] for e in view["entities"]]
    assert scores["legend"] == ["Records passing"]
    assert all(t.endswith("%") for t in scores["values"]["ticks"])
    assert _chart(page, "#trend-chart")["legend"] == ["Overall score"]
    page.fill("input[data-filter=offender-table]", "zzz-no-such-owner")
    assert page.locator("#offender-table tbody tr:not([hidden])").count() == 0
    page.fill("input[data-filter=offender-table]", "")
    _shot(page, f"quality-{viewport}")

    page.goto(f"{base_url}/search?q=a")
    _shot(page, f"search-{viewport}")
    page.goto(f"{base_url}/admin")
    assert page.locator("text=Audit log").count() == 1
    _shot(page, f"admin-{viewport}")
    page.context.close()


def test_axis_labels_read_like_the_tables(browser: Any, base_url: str) -> None:
    page = _page(browser, base_url, "phone", "admin@example.com")
    cases = [
        (2_100_000, "money", "$2.1M"),
        (-2120, "money", "-$2.12k"),
        (-81, "money", "-$81"),
        (1_500_000_000, "money", "$1.5B"),
        (0, "money", "$0"),
        (0.35, "ratio", "35%"),
        (0.075, "ratio", "7.5%"),
        (1200, "count", "1.2k"),
    ]
    shown = [
        page.evaluate("([v, unit]) => window.revopsCharts.short(v, unit)", [value, unit])
        for value, unit, _ in cases
    ]
    assert shown == [label for _, _, label in cases]
    page.context.close()


def test_change_window_and_slice_drill_down_and_export(browser: Any, base_url: str) -> None:
    page = _page(browser, base_url, "laptop", MANAGER)
    page.goto(f"{base_url}/metrics?metric=bookings")
    page.fill("#explore input[name=window]", YEAR)
    page.select_option("#explore select[name=grain]", "month")
    page.select_option("#explore select[name=by]", "owner")
    page.click("#explore button")
    page.wait_for_url("**grain=month**")
    page.wait_for_selector("body[data-charts=ready]")
    assert _chart(page, "#chart")["scales"]["x"]["title"] == "month"
    assert "by=owner" in page.url
    page.click("#values th:has-text('Value')")  # sorts without a reload
    assert page.locator("#values th[aria-sort]").count() == 1
    with page.expect_download() as download:
        page.click("text=Export CSV")
    assert download.value.suggested_filename.endswith(".csv")
    page.locator("#values a:has-text('rows')").first.click()
    page.wait_for_url("**/metrics/rows**")
    assert "Rows behind Bookings" in page.inner_text("h1")
    _shot(page, "drill-manager-laptop")
    page.context.close()


def test_a_rep_sees_the_same_pages_with_own_rows(browser: Any, base_url: str) -> None:
    page = _page(browser, base_url, "phone", REP)
    assert "rep" in page.inner_text("header")
    page.goto(f"{base_url}/metrics/rows?metric=won_deals&window={YEAR}")
    headers = page.locator("table thead th").all_inner_texts()
    column = headers.index("owner_id") + 1
    owners = page.locator(f"table tbody tr td:nth-child({column})").all_inner_texts()
    assert owners
    assert len(set(owners)) == 1
    _shot(page, "rows-rep-phone")
    _goto(page, f"{base_url}/pipeline?window={QUARTER}&by=owner")
    _chart(page, "#stage-chart")
    owners = page.locator("#stage-table tbody tr td:nth-child(2)").all_inner_texts()
    assert len(set(owners)) == 1  # the rep's own deals only
    stalled = page.locator("#stalled-table tbody tr td:nth-child(2)").all_inner_texts()
    assert set(stalled) <= {"John Hernandez"}  # own deals, named
    _shot(page, "pipeline-rep-phone")
    _goto(page, f"{base_url}/forecast?period={QUARTER}")
    assert page.locator("#backtest-chart").count() == 0  # the company's backtest: not a rep's
    _shot(page, "forecast-rep-phone")
    page.goto(f"{base_url}/admin")
    assert page.locator("text=Users").count() == 0  # no user admin for a rep
    page.context.close()
