// A small dependency-free SVG chart module: line and bar charts with axes and a legend,
// and sparklines. It reads the page's view model from <script id="view-data">.
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var COLORS = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777"];

  function el(name, attrs, parent) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(node);
    return node;
  }
  function text(parent, x, y, value, attrs) {
    var t = el("text", Object.assign({ x: x, y: y }, attrs || {}), parent);
    t.textContent = value;
    return t;
  }
  function short(v, unit) {
    if (v === null || v === undefined || isNaN(v)) return "";
    if (unit === "ratio") return (v * 100).toFixed(Math.abs(v) < 0.1 ? 1 : 0) + "%";
    var a = Math.abs(v), s = (v < 0 ? "-" : "") + (unit === "money" ? "$" : "");
    if (a >= 1e9) return s + (a / 1e9).toFixed(1) + "B";
    if (a >= 1e6) return s + (a / 1e6).toFixed(1) + "M";
    if (a >= 1e3) return s + (a / 1e3).toFixed(0) + "k";
    return s + (Math.round(a * 10) / 10);
  }
  function ticks(min, max, count) {
    if (min === max) { max = min + 1; }
    var step = Math.pow(10, Math.floor(Math.log10((max - min) / count)));
    var err = (max - min) / count / step;
    step *= err >= 7.5 ? 10 : err >= 3.5 ? 5 : err >= 1.5 ? 2 : 1;
    var out = [];
    // Up to the first tick at or above max, so the tallest bar stays inside the plot.
    for (var v = Math.floor(min / step) * step; ; v += step) {
      out.push(v);
      if (v >= max - step * 1e-9 || out.length > 50) break;
    }
    return out;
  }

  // options: {labels: [..], series: [{name, points: [..]}], unit, kind: "line"|"bar", yTitle}
  function chart(container, options) {
    var width = Math.max(container.clientWidth || 600, 280);
    var narrow = width < 500;
    var height = narrow ? 260 : 320;
    var series = options.series;
    var legendRows = Math.ceil(series.length / (narrow ? 2 : 4));
    var m = { top: 12, right: 16, bottom: 40 + legendRows * 18, left: narrow ? 48 : 64 };
    var svg = el("svg", { viewBox: "0 0 " + width + " " + height, width: "100%", height: height,
                          class: "svg-chart" });
    var values = [];
    series.forEach(function (s) { s.points.forEach(function (p) { if (p !== null) values.push(p); }); });
    var lo = Math.min(0, Math.min.apply(null, values.length ? values : [0]));
    var hi = Math.max.apply(null, values.length ? values : [1]);
    var ys = ticks(lo, hi, 5);
    lo = ys[0]; hi = ys[ys.length - 1];
    var plotW = width - m.left - m.right, plotH = height - m.top - m.bottom;
    var y = function (v) { return m.top + plotH - (v - lo) / (hi - lo || 1) * plotH; };
    var n = options.labels.length;
    var band = plotW / Math.max(n, 1);
    var x = function (i) { return m.left + band * (i + 0.5); };
    ys.forEach(function (v) {
      el("line", { x1: m.left, x2: width - m.right, y1: y(v), y2: y(v), class: "grid" }, svg);
      text(svg, m.left - 6, y(v) + 4, short(v, options.unit), { "text-anchor": "end", class: "tick" });
    });
    el("line", { x1: m.left, x2: m.left, y1: m.top, y2: m.top + plotH, class: "axis" }, svg);
    el("line", { x1: m.left, x2: width - m.right, y1: y(Math.max(lo, 0)), y2: y(Math.max(lo, 0)), class: "axis" }, svg);
    var every = Math.ceil(n / Math.floor(plotW / (narrow ? 56 : 80)));
    options.labels.forEach(function (label, i) {
      if (i % every === 0) text(svg, x(i), m.top + plotH + 16, label, { "text-anchor": "middle", class: "tick" });
    });
    series.forEach(function (s, k) {
      var color = COLORS[k % COLORS.length];
      if (options.kind === "bar") {
        var w = band * 0.8 / series.length;
        s.points.forEach(function (p, i) {
          if (p === null) return;
          var top = y(Math.max(p, 0)), bottom = y(Math.min(p, 0));
          var r = el("rect", { x: m.left + band * i + band * 0.1 + w * k, y: top, width: Math.max(w - 2, 1),
                               height: Math.max(bottom - top, 0.5), fill: color }, svg);
          el("title", {}, r).textContent = s.name + " · " + options.labels[i] + ": " + short(p, options.unit);
        });
      } else {
        var d = "";
        s.points.forEach(function (p, i) {
          if (p === null) return;
          d += (d ? "L" : "M") + x(i).toFixed(1) + "," + y(p).toFixed(1);
          var c = el("circle", { cx: x(i), cy: y(p), r: 3, fill: color }, svg);
          el("title", {}, c).textContent = s.name + " · " + options.labels[i] + ": " + short(p, options.unit);
        });
        el("path", { d: d, fill: "none", stroke: color, "stroke-width": 2 }, svg);
      }
    });
    var perRow = narrow ? 2 : 4, colW = plotW / perRow;
    series.forEach(function (s, k) {
      var lx = m.left + (k % perRow) * colW, ly = height - legendRows * 18 + Math.floor(k / perRow) * 18 + 2;
      el("rect", { x: lx, y: ly - 9, width: 10, height: 10, fill: COLORS[k % COLORS.length] }, svg);
      var name = s.name.length > 24 ? s.name.slice(0, 23) + "…" : s.name;
      text(svg, lx + 14, ly, name, { class: "legend" });
    });
    container.innerHTML = "";
    container.appendChild(svg);
  }

  function spark(container, points) {
    var w = 160, h = 36, vals = points.map(function (p) { return p.value; });
    var nums = vals.filter(function (v) { return v !== null; });
    if (!nums.length) return;
    var lo = Math.min.apply(null, nums), hi = Math.max.apply(null, nums);
    var svg = el("svg", { viewBox: "0 0 " + w + " " + h, width: "100%", height: h, class: "spark-svg" });
    var d = "";
    vals.forEach(function (v, i) {
      if (v === null) return;
      var px = 4 + i * (w - 8) / Math.max(vals.length - 1, 1);
      var py = h - 4 - (v - lo) / (hi - lo || 1) * (h - 8);
      d += (d ? "L" : "M") + px.toFixed(1) + "," + py.toFixed(1);
    });
    el("path", { d: d, fill: "none", stroke: "#2563eb", "stroke-width": 2 }, svg);
    el("title", {}, svg).textContent = points.map(function (p) { return p.period + ": " + short(p.value); }).join(", ");
    container.appendChild(svg);
  }

  // Axes, gridlines, category labels and a legend; returns the scales to draw into.
  // spec: {labels, values (numbers spanning the y axis), unit, legend: [{name, color}]}
  function frame(container, spec) {
    var width = Math.max(container.clientWidth || 600, 280);
    var narrow = width < 500;
    var height = narrow ? 260 : 320;
    var perRow = narrow ? 2 : 4;
    var legendRows = Math.ceil(spec.legend.length / perRow);
    var m = { top: 12, right: 16, bottom: 40 + legendRows * 18, left: narrow ? 48 : 64 };
    var svg = el("svg", { viewBox: "0 0 " + width + " " + height, width: "100%", height: height,
                          class: "svg-chart" });
    var vals = spec.values.filter(function (v) { return v !== null && v !== undefined && !isNaN(v); });
    var ys = ticks(Math.min(0, Math.min.apply(null, vals.length ? vals : [0])),
                   Math.max.apply(null, vals.length ? vals : [1]), 5);
    var lo = ys[0], hi = ys[ys.length - 1];
    var plotW = width - m.left - m.right, plotH = height - m.top - m.bottom;
    var y = function (v) { return m.top + plotH - (v - lo) / (hi - lo || 1) * plotH; };
    var n = spec.labels.length, band = plotW / Math.max(n, 1);
    ys.forEach(function (v) {
      el("line", { x1: m.left, x2: width - m.right, y1: y(v), y2: y(v), class: "grid" }, svg);
      text(svg, m.left - 6, y(v) + 4, short(v, spec.unit), { "text-anchor": "end", class: "tick" });
    });
    el("line", { x1: m.left, x2: m.left, y1: m.top, y2: m.top + plotH, class: "axis" }, svg);
    el("line", { x1: m.left, x2: width - m.right, y1: y(Math.max(lo, 0)), y2: y(Math.max(lo, 0)), class: "axis" }, svg);
    var fit = Math.max(Math.floor(band / 6.5), 4);
    spec.labels.forEach(function (label, i) {
      var shown = label.length > fit ? label.slice(0, fit - 1) + "…" : label;
      var t = text(svg, m.left + band * (i + 0.5), m.top + plotH + 16, shown, { "text-anchor": "middle", class: "tick" });
      el("title", {}, t).textContent = label;
    });
    var colW = plotW / perRow;
    spec.legend.forEach(function (item, k) {
      var lx = m.left + (k % perRow) * colW, ly = height - legendRows * 18 + Math.floor(k / perRow) * 18 + 2;
      el("rect", { x: lx, y: ly - 9, width: 10, height: 10, fill: item.color }, svg);
      text(svg, lx + 14, ly, item.name.length > 24 ? item.name.slice(0, 23) + "…" : item.name, { class: "legend" });
    });
    container.innerHTML = "";
    container.appendChild(svg);
    return { svg: svg, y: y, band: band, left: m.left };
  }

  // Each item's P10-P90 as a bar and its P50 as a mark: [{name, p10, p50, p90}].
  function ranges(container, items, unit) {
    var values = [];
    items.forEach(function (r) { values.push(r.p10, r.p50, r.p90); });
    var legend = items.map(function (r, k) { return { name: r.name, color: COLORS[k % COLORS.length] }; });
    legend.push({ name: "line P50, bar P10–P90", color: "#111827" });
    var f = frame(container, { labels: items.map(function (r) { return r.name; }), values: values, unit: unit, legend: legend });
    items.forEach(function (r, i) {
      if (r.p10 === null || r.p90 === null) return;
      var cx = f.left + f.band * (i + 0.5), w = Math.min(f.band * 0.5, 60);
      var bar = el("rect", { x: cx - w / 2, y: f.y(r.p90), width: w, height: Math.max(f.y(r.p10) - f.y(r.p90), 1),
                             fill: COLORS[i % COLORS.length], "fill-opacity": 0.35, stroke: COLORS[i % COLORS.length] }, f.svg);
      el("title", {}, bar).textContent = r.name + ": P10 " + short(r.p10, unit) + " · P50 " + short(r.p50, unit) + " · P90 " + short(r.p90, unit);
      if (r.p50 !== null) el("line", { x1: cx - w / 2, x2: cx + w / 2, y1: f.y(r.p50), y2: f.y(r.p50), stroke: "#111827", "stroke-width": 3 }, f.svg);
    });
  }

  // A waterfall: [{step, sign: "+"|"-"|"=", amount}] as floating bars from the running total.
  function waterfall(container, steps, unit) {
    var total = 0, spans = [], values = [];
    steps.forEach(function (s) {
      var from, to;
      if (s.sign === "=") { from = 0; to = s.amount; total = s.amount; }
      else if (s.sign === "+") { from = total; to = total + s.amount; total = to; }
      else { from = total; to = total - s.amount; total = to; }
      spans.push([from, to]); values.push(from, to);
    });
    var color = { "=": "#2563eb", "+": "#16a34a", "-": "#dc2626" };
    var f = frame(container, { labels: steps.map(function (s) { return s.step.replace(/_/g, " "); }), values: values, unit: unit,
                               legend: [{ name: "open pipeline", color: color["="] }, { name: "adds", color: color["+"] }, { name: "takes", color: color["-"] }] });
    steps.forEach(function (s, i) {
      var top = f.y(Math.max(spans[i][0], spans[i][1])), bottom = f.y(Math.min(spans[i][0], spans[i][1]));
      var r = el("rect", { x: f.left + f.band * i + f.band * 0.15, y: top, width: f.band * 0.7, height: Math.max(bottom - top, 0.5),
                           fill: color[s.sign] || "#6b7280" }, f.svg);
      el("title", {}, r).textContent = s.step.replace(/_/g, " ") + ": " + s.sign + short(s.amount, unit);
    });
  }

  function draw() {
    var node = document.getElementById("view-data");
    if (!node) return;
    var view = JSON.parse(node.textContent);
    if (view.cards) {
      document.querySelectorAll("[data-spark]").forEach(function (c) {
        c.innerHTML = "";
        spark(c, view.cards[Number(c.getAttribute("data-spark"))].trend);
      });
    }
    var box = document.getElementById("chart");
    if (box && view.series) {
      chart(box, { labels: view.periods, series: view.series, unit: view.unit,
                   kind: view.periods.length > 1 ? "line" : "bar" });
    }
    var funnel = document.getElementById("funnel-chart");
    if (funnel && view.stages) {
      chart(funnel, { labels: view.stages.map(function (s) { return s.label; }), unit: "count", kind: "bar",
                      series: [{ name: "Entered the stage", points: view.stages.map(function (s) { return s.entries; }) },
                               { name: "Went on to a later stage", points: view.stages.map(function (s) { return s.advances; }) }] });
    }
    var stages = document.getElementById("stage-chart");
    if (stages && view.stages) {
      var byStage = {}, order = [];
      view.stages.forEach(function (s) {
        if (!(s.stage in byStage)) { byStage[s.stage] = [0, 0]; order.push(s.stage); }
        byStage[s.stage][0] += s.amount || 0; byStage[s.stage][1] += s.weighted_amount || 0;
      });
      chart(stages, { labels: order, unit: "money", kind: "bar",
                      series: [{ name: "Open amount", points: order.map(function (l) { return byStage[l][0]; }) },
                               { name: "Weighted amount", points: order.map(function (l) { return byStage[l][1]; }) }] });
    }
    var wf = document.getElementById("waterfall-chart");
    if (wf && view.waterfall) waterfall(wf, view.waterfall, "money");
    var range = document.getElementById("range-chart");
    if (range && view.methods) {
      ranges(range, view.methods.map(function (m) { return { name: m.method, p10: m.p10, p50: m.p50, p90: m.p90 }; }), "money");
    }
    var bt = document.getElementById("backtest-chart");
    if (bt && view.backtest && view.backtest.length) {
      var weeks = [], methods = [];
      view.backtest.forEach(function (b) {
        if (weeks.indexOf(b.week) < 0) weeks.push(b.week);
        if (methods.indexOf(b.method) < 0) methods.push(b.method);
      });
      weeks.sort(function (a, b) { return a - b; });
      chart(bt, { labels: weeks.map(function (w) { return "week " + w; }), unit: "ratio", kind: "line",
                  series: methods.map(function (m) {
                    return { name: m, points: weeks.map(function (w) {
                      var hit = view.backtest.filter(function (b) { return b.method === m && b.week === w; })[0];
                      return hit ? hit.median_accuracy : null; }) };
                  }) });
    }
    var q = document.getElementById("quality-chart");
    if (q && view.entities) {
      chart(q, { labels: view.entities.map(function (e) { return e.name; }), unit: "ratio", kind: "bar",
                 series: [{ name: "Records passing", points: view.entities.map(function (e) { return e.score; }) }] });
    }
    var tr = document.getElementById("trend-chart");
    if (tr && view.trend) {
      chart(tr, { labels: view.trend.map(function (t) { return t.run_at.slice(0, 10); }), unit: "ratio",
                  kind: view.trend.length > 1 ? "line" : "bar",
                  series: [{ name: "Overall score", points: view.trend.map(function (t) { return t.score; }) }] });
    }
  }
  window.revopsChart = { chart: chart, spark: spark, ranges: ranges, waterfall: waterfall };
  document.addEventListener("DOMContentLoaded", draw);
  var timer;
  window.addEventListener("resize", function () { clearTimeout(timer); timer = setTimeout(draw, 150); });
})();
