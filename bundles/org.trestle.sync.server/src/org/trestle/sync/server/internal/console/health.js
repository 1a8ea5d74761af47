// Draws the console's health charts with uPlot from /admin/health.json, and again each minute.
(function () {
  "use strict";
  var colours = ["#1f5f99", "#d64545", "#2f8132", "#c65d00", "#7a4fc4", "#0f8a8a", "#a23b72", "#6b7280"];
  var charts = {};
  var last = null;
  var resizing = null;

  function width(el) { return Math.max(300, el.clientWidth - 8); }

  function draw(id, data, series) {
    var el = document.getElementById(id);
    if (!el) { return; }
    if (charts[id]) { charts[id].destroy(); }
    var opts = {
      width: width(el), height: 220,
      scales: { x: { time: true } },
      axes: [{}, { size: 60 }],
      series: [{}].concat(series.map(function (s, i) {
        return { label: s, stroke: colours[i % colours.length], width: 2, spanGaps: false };
      }))
    };
    charts[id] = new uPlot(opts, data, el);
  }

  function render(h) {
    last = h;
    var x = h.minutes;
    draw("chart-exchanges", [x, h.exchanges, h.failures], ["Exchanges", "Refused or failed"]);
    draw("chart-changes", [x, h.changes_in, h.changes_out], ["Changes in", "Changes out"]);
    var codes = Object.keys(h.pending);
    var pending = [x].concat(codes.map(function (c) { return h.pending[c]; }));
    draw("chart-pending", pending, codes.length ? codes : []);
    draw("chart-latency", [x, h.latency_ms], ["Mean exchange time (ms)"]);
  }

  function load() {
    fetch("/admin/health.json", { credentials: "same-origin", cache: "no-store" })
      .then(function (r) {
        if (r.status !== 200) { throw new Error("HTTP " + r.status); }
        return r.json();
      })
      .then(render)
      .catch(function () {
        document.querySelectorAll(".chart").forEach(function (el) {
          el.textContent = "The figures could not be loaded; sign in again if your session has ended.";
        });
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    load();
    setInterval(load, 60000);
    // the charts take the width of their boxes: drawn again once a resize has settled
    window.addEventListener("resize", function () {
      clearTimeout(resizing);
      resizing = setTimeout(function () { if (last) { render(last); } }, 200);
    });
  });
})();
