// The cockpit's charts: reads the page's view model (<script id="view-data">) and draws it
// with the vendored Chart.js (static/vendor/chart.umd.min.js, loaded before this file).
// Every chart is a <canvas> inside its container; Chart.getChart(canvas) returns it.
(function () {
  "use strict";
  var COLORS = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777"];
  var STEP_COLORS = { "=": "#2563eb", "+": "#16a34a", "-": "#dc2626" };
  var NARROW = 600;  // px: below it charts use the phone layout (as app.css does)

  // Axis labels: round numbers, short ("$2.1M", "-$2.12k", "35%").
  function short(v, unit) {
    if (v === null || v === undefined || isNaN(v)) return "";
    if (unit === "ratio") return Number((v * 100).toPrecision(3)) + "%";
    if (unit === "multiple") return Number(v.toPrecision(2)) + "×";
    if (unit === "money_per_day") return short(v, "money") + "/day";
    var a = Math.abs(v), s = (v < 0 ? "-" : "") + (unit === "money" ? "$" : "");
    var sizes = [[1e9, "B"], [1e6, "M"], [1e3, "k"]];
    for (var i = 0; i < sizes.length; i++) {
      if (a >= sizes[i][0]) return s + Number((a / sizes[i][0]).toPrecision(3)) + sizes[i][1];
    }
    return s + Number(a.toPrecision(3));
  }
  // Tooltips: the value as the tables show it (views/common.py `formatted`).
  function full(v, unit) {
    if (v === null || v === undefined || isNaN(v)) return "-";
    if (unit === "ratio") return (v * 100).toFixed(1) + "%";
    if (unit === "multiple") return v.toFixed(1) + "×";
    if (unit === "money" || unit === "money_per_day") return short(v, unit);
    return v.toLocaleString("en-US", { maximumFractionDigits: unit === "count" ? 0 : 2 });
  }
  function pretty(step) { return step.replace(/_/g, " "); }

  // A canvas filling `box` (sized by app.css), replacing what the box held.
  function canvas(box) {
    var old = box.querySelector("canvas");
    if (old && window.Chart.getChart(old)) window.Chart.getChart(old).destroy();
    box.replaceChildren();
    var c = document.createElement("canvas");
    c.setAttribute("role", "img");
    c.setAttribute("aria-label", box.getAttribute("aria-label") || "chart");
    box.appendChild(c);
    return c;
  }
  function narrow() { return window.innerWidth < NARROW; }
  function axis(unit, title, extra) {
    return Object.assign({
      title: { display: !!title, text: title },
      // Fewer gridlines on a phone, so the labels do not crowd.
      ticks: { callback: function (v) { return short(v, unit); }, maxTicksLimit: narrow() ? 6 : 11 },
    }, extra || {});
  }
  function category(title, extra) {
    return Object.assign({ title: { display: !!title, text: title }, grid: { display: false } }, extra || {});
  }
  function tooltip(unit, label) {
    return {
      callbacks: label || {
        label: function (ctx) { return ctx.dataset.label + ": " + full(ctx.parsed[ctx.chart.options.indexAxis === "y" ? "x" : "y"], unit); },
      },
    };
  }
  function draw(box, config) {
    return new window.Chart(canvas(box), config);
  }

  // Line (several periods) or bar chart of named series over labels.
  // spec: {labels, series: [{name, points}], unit, kind, x: axis title, y: axis title}
  // Bars of long-named categories lie down on a phone: the names read in full beside them.
  // Dated notes (annotations) as dashed vertical lines at their period, with the date.
  // marks: [{period, date, text}]; a mark whose period is not on the axis is left out.
  function marker(labels, marks) {
    return {
      id: "annotations",
      afterDatasetsDraw: function (chart) {
        var x = chart.scales.x, area = chart.chartArea, g = chart.ctx;
        if (!x || chart.options.indexAxis === "y") return;
        marks.forEach(function (m) {
          var at = labels.indexOf(m.period);
          if (at < 0) return;
          var px = x.getPixelForValue(at);
          g.save();
          g.strokeStyle = "#6b7280"; g.setLineDash([4, 3]); g.lineWidth = 1;
          g.beginPath(); g.moveTo(px, area.top); g.lineTo(px, area.bottom); g.stroke();
          g.setLineDash([]); g.fillStyle = "#374151"; g.font = "11px " + window.Chart.defaults.font.family;
          g.fillText(m.date, px + 3, area.top + 11);
          g.restore();
        });
      },
    };
  }

  function series(box, spec) {
    var longest = Math.max.apply(null, spec.labels.map(function (l) { return String(l).length; }).concat([0]));
    var across = spec.kind === "bar" && narrow() && longest > 10;
    // Lying down, the names need the width the axis title would take.
    var values = axis(spec.unit, spec.y, { beginAtZero: true }), names = category(across ? null : spec.x);
    return draw(box, {
      type: spec.kind,
      data: {
        labels: spec.labels,
        datasets: spec.series.map(function (s, k) {
          var color = COLORS[k % COLORS.length];
          // A period without a value stays a gap: a line across it would invent one.
          return { label: s.name, data: s.points, borderColor: color, backgroundColor: color,
                   spanGaps: false, pointRadius: 3, borderWidth: 2 };
        }),
      },
      options: {
        indexAxis: across ? "y" : "x",
        scales: across ? { x: values, y: names } : { x: names, y: values },
        plugins: { legend: { position: "bottom" }, tooltip: tooltip(spec.unit) },
      },
      plugins: spec.marks && spec.marks.length ? [marker(spec.labels, spec.marks)] : [],
    });
  }

  // A trend line without axes or legend, for a KPI card.
  function spark(box, points, unit) {
    // A lone value draws no line: show it as a dot.
    var values = points.filter(function (p) { return p.value !== null; }).length;
    return draw(box, {
      type: "line",
      data: { labels: points.map(function (p) { return p.period; }),
              datasets: [{ label: "trend", data: points.map(function (p) { return p.value; }),
                           borderColor: COLORS[0], borderWidth: 2, pointRadius: values > 1 ? 0 : 3,
                           pointBackgroundColor: COLORS[0], spanGaps: true }] },
      options: {
        layout: { padding: 4 },
        scales: { x: { display: false }, y: { display: false } },
        plugins: { legend: { display: false }, tooltip: tooltip(unit, {
          label: function (ctx) { return full(ctx.parsed.y, unit); } }) },
      },
    });
  }

  // Each method's P10–P90 as a floating bar and its P50 as a dash across it.
  function ranges(box, methods) {
    var names = methods.map(function (m) { return m.method; });
    // The P50 dash spans the bar: bars are 0.8 × 0.9 of a category's width, at most 70px.
    var dash = function (ctx) { return Math.min(35, ctx.chart.chartArea ? (ctx.chart.chartArea.right - ctx.chart.chartArea.left) / names.length * 0.36 : 20); };
    return draw(box, {
      type: "bar",
      data: {
        labels: names,
        datasets: [
          { type: "bar", label: "P10–P90 range", order: 2,
            data: methods.map(function (m) { return m.p10 === null || m.p90 === null ? null : [m.p10, m.p90]; }),
            backgroundColor: names.map(function (_, k) { return COLORS[k % COLORS.length] + "59"; }),
            borderColor: names.map(function (_, k) { return COLORS[k % COLORS.length]; }),
            borderWidth: 1, maxBarThickness: 70, pointStyle: "rect" },
          { type: "line", label: "P50", order: 1, showLine: false,
            data: methods.map(function (m) { return m.p50; }),
            pointStyle: "line", pointRadius: dash, pointHoverRadius: dash, borderWidth: 3,
            borderColor: "#111827", backgroundColor: "#111827" },
        ],
      },
      options: {
        scales: { x: category("method"), y: axis("money", "bookings of the period") },
        plugins: {
          // The range first, as the datasets are listed (the legend sorts by draw order).
          legend: { position: "bottom", labels: { usePointStyle: true,
                    sort: function (a, b) { return a.datasetIndex - b.datasetIndex; } } },
          tooltip: tooltip("money", { label: function (ctx) {
            var m = methods[ctx.dataIndex];
            return ctx.datasetIndex === 0
              ? "P10 " + full(m.p10, "money") + " – P90 " + full(m.p90, "money")
              : "P50 " + full(m.p50, "money");
          } }),
        },
      },
    });
  }

  // The waterfall: balances ("=") from zero, adds and takes floating from the running total.
  // Horizontal on a phone, so the step names read in full.
  function waterfall(box, steps) {
    var total = 0;
    var spans = steps.map(function (s) {
      var from = s.sign === "=" ? 0 : total;
      var to = s.sign === "=" ? s.amount : s.sign === "+" ? total + s.amount : total - s.amount;
      total = to;
      return [from, to];
    });
    var across = narrow();
    var money = axis("money", "open pipeline");
    if (across) money.ticks.maxTicksLimit = 5;  // room for "$150k" side by side
    var stepAxis = category(across ? null : "step", across ? {} : { ticks: { maxRotation: 45, autoSkip: false } });
    var legend = [["=", "open pipeline"], ["+", "adds"], ["-", "takes"]];
    return draw(box, {
      type: "bar",
      data: {
        labels: steps.map(function (s) { return pretty(s.step); }),
        datasets: [{ label: "waterfall", data: spans, borderSkipped: false,
                     backgroundColor: steps.map(function (s) { return STEP_COLORS[s.sign] || "#6b7280"; }) }],
      },
      options: {
        indexAxis: across ? "y" : "x",
        scales: across ? { x: money, y: stepAxis } : { x: stepAxis, y: money },
        plugins: {
          legend: { position: "bottom", labels: { generateLabels: function () {
            return legend.map(function (l) {
              return { text: l[1], fillStyle: STEP_COLORS[l[0]], strokeStyle: STEP_COLORS[l[0]], lineWidth: 0 };
            });
          } }, onClick: function () {} },
          tooltip: tooltip("money", { label: function (ctx) {
            var s = steps[ctx.dataIndex];
            return s.sign + " " + full(s.amount, "money") + " (" + s.deals + " deals)";
          } }),
        },
      },
    });
  }

  function backtest(box, rows) {
    var weeks = [], methods = [];
    rows.forEach(function (b) {
      if (weeks.indexOf(b.week) < 0) weeks.push(b.week);
      if (methods.indexOf(b.method) < 0) methods.push(b.method);
    });
    weeks.sort(function (a, b) { return a - b; });
    return series(box, {
      labels: weeks.map(String), unit: "ratio", kind: "line", x: "week of the period", y: "median accuracy",
      series: methods.map(function (m) {
        return { name: m, points: weeks.map(function (w) {
          var hit = rows.filter(function (b) { return b.method === m && b.week === w; })[0];
          return hit ? hit.median_accuracy : null;
        }) };
      }),
    });
  }

  // Open and weighted amount per stage, summed over the slices the table splits them into.
  function byStage(box, stages) {
    var sums = {}, order = [];
    stages.forEach(function (s) {
      if (!(s.stage in sums)) { sums[s.stage] = [0, 0]; order.push(s.stage); }
      sums[s.stage][0] += s.amount || 0; sums[s.stage][1] += s.weighted_amount || 0;
    });
    return series(box, {
      labels: order, unit: "money", kind: "bar", x: "stage", y: "amount",
      series: [{ name: "Open amount", points: order.map(function (l) { return sums[l][0]; }) },
               { name: "Weighted amount", points: order.map(function (l) { return sums[l][1]; }) }],
    });
  }

  function drawAll() {
    var node = document.getElementById("view-data");
    if (!node || !window.Chart) return;
    var view = JSON.parse(node.textContent);
    var box = function (id) { return document.getElementById(id); };
    if (view.cards) {
      document.querySelectorAll("[data-spark]").forEach(function (c) {
        var card = view.cards[Number(c.getAttribute("data-spark"))];
        if (card.trend.some(function (p) { return p.value !== null; })) spark(c, card.trend, card.unit);
      });
    }
    if (box("chart") && view.series) {
      series(box("chart"), { labels: view.periods, series: view.series, unit: view.unit,
                             kind: view.periods.length > 1 ? "line" : "bar",
                             x: view.grain || "window", y: view.label, marks: view.annotations });
    }
    if (view.targets) {
      document.querySelectorAll("[data-plan-chart]").forEach(function (c) {
        var t = view.targets[Number(c.getAttribute("data-plan-chart"))];
        series(c, { labels: t.months.map(function (m) { return m.month; }), unit: t.unit, kind: "line",
                    x: "month", y: t.metric_label, marks: t.annotations,
                    series: [{ name: "Target", points: t.months.map(function (m) { return m.target; }) },
                             { name: "Measured", points: t.months.map(function (m) { return m.measured; }) }] });
      });
    }
    if (box("funnel-chart") && view.stages) {
      series(box("funnel-chart"), {
        labels: view.stages.map(function (s) { return s.label; }), unit: "count", kind: "bar",
        x: "lifecycle stage", y: "people",
        series: [{ name: "Entered the stage", points: view.stages.map(function (s) { return s.entries; }) },
                 { name: "Went on to a later stage", points: view.stages.map(function (s) { return s.advances; }) }],
      });
    }
    if (box("stage-chart") && view.stages) byStage(box("stage-chart"), view.stages);
    if (box("waterfall-chart") && view.waterfall) waterfall(box("waterfall-chart"), view.waterfall);
    if (box("range-chart") && view.methods) ranges(box("range-chart"), view.methods);
    if (box("backtest-chart") && view.backtest && view.backtest.length) backtest(box("backtest-chart"), view.backtest);
    if (box("quality-chart") && view.entities) {
      series(box("quality-chart"), {
        labels: view.entities.map(function (e) { return e.name; }), unit: "ratio", kind: "bar",
        x: "entity", y: "records passing",
        series: [{ name: "Records passing", points: view.entities.map(function (e) { return e.score; }) }],
      });
    }
    if (box("balance-chart") && view.balance && view.balance.length) {
      series(box("balance-chart"), {
        labels: view.balance.map(function (b) { return b.rep; }), unit: "multiple", kind: "bar",
        x: "rep", y: "over fair share",
        series: [{ name: "Potential today", points: view.balance.map(function (b) { return b.potential_today; }) },
                 { name: "Potential proposed", points: view.balance.map(function (b) { return b.potential_proposed; }) },
                 { name: "Workload today", points: view.balance.map(function (b) { return b.workload_today; }) },
                 { name: "Workload proposed", points: view.balance.map(function (b) { return b.workload_proposed; }) }],
      });
    }
    if (box("trend-chart") && view.trend) {
      series(box("trend-chart"), {
        labels: view.trend.map(function (t) { return t.run_at.slice(0, 10); }), unit: "ratio",
        kind: view.trend.length > 1 ? "line" : "bar", x: "run", y: "overall score",
        series: [{ name: "Overall score", points: view.trend.map(function (t) { return t.score; }) }],
      });
    }
    // Tests and screenshots wait for this: with animation off, the charts are final now.
    document.body.setAttribute("data-charts", "ready");
  }

  window.revopsCharts = { short: short, full: full, redraw: drawAll };
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.Chart) return;
    window.Chart.defaults.animation = false;  // drawn at once: nothing moves under a screenshot
    window.Chart.defaults.maintainAspectRatio = false;  // the container's CSS height rules
    window.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    window.Chart.defaults.color = "#4b5563";
    drawAll();
    // Chart.js resizes each chart itself; bars change direction at the phone width.
    var phone = narrow(), timer;
    window.addEventListener("resize", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        if (narrow() !== phone) { phone = !phone; drawAll(); }
      }, 150);
    });
  });
})();
