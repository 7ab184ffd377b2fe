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
    var a = Math.abs(v), s = unit === "money" ? "$" : "";
    if (a >= 1e9) return s + (v / 1e9).toFixed(1) + "B";
    if (a >= 1e6) return s + (v / 1e6).toFixed(1) + "M";
    if (a >= 1e3) return s + (v / 1e3).toFixed(0) + "k";
    return s + (Math.round(v * 10) / 10);
  }
  function ticks(min, max, count) {
    if (min === max) { max = min + 1; }
    var step = Math.pow(10, Math.floor(Math.log10((max - min) / count)));
    var err = (max - min) / count / step;
    step *= err >= 7.5 ? 10 : err >= 3.5 ? 5 : err >= 1.5 ? 2 : 1;
    var out = [];
    for (var v = Math.floor(min / step) * step; v <= max + step * 0.5; v += step) out.push(v);
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
  }
  window.revopsChart = { chart: chart, spark: spark };
  document.addEventListener("DOMContentLoaded", draw);
  var timer;
  window.addEventListener("resize", function () { clearTimeout(timer); timer = setTimeout(draw, 150); });
})();
