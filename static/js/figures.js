/*
 * Managers' figures: draws one Chart.js chart per <canvas data-chart="…"> from the JSON
 * the page carries in <script id="figures-data" type="application/json">. All labels and
 * titles arrive translated from the server; this file holds no text of its own.
 * Without JavaScript (or Chart.js) the tables under each canvas stay open and carry the
 * same numbers.
 */
(function () {
  "use strict";

  // Each colour keeps at least 3:1 against the white card (WCAG 1.4.11).
  var COLOURS = {
    primary: "#0b5cad",
    m1: "#0b5cad",
    m2: "#b93c0b",
    band: "#11592e",
    bandFill: "rgba(17, 89, 46, 0.14)",
    grid: "#d0d7de",
    text: "#1b1f24",
    muted: "#57606a"
  };

  function reducedMotion() {
    return !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  }

  function locale() {
    return document.documentElement.getAttribute("lang") || "en";
  }

  function percentTick(value) {
    return value + "%";
  }

  function datasets(spec) {
    var sets = spec.datasets.map(function (set) {
      var colour = COLOURS[set.color] || COLOURS.primary;
      return {
        label: set.label,
        data: set.data,
        borderColor: colour,
        backgroundColor: colour,
        borderWidth: 2,
        pointRadius: spec.kind === "line" && set.data.length > 40 ? 0 : 3,
        spanGaps: true,
        clip: false, // a point at 100% stays whole
        order: 0
      };
    });
    if (spec.band) {
      var n = spec.labels.length;
      var low = new Array(n).fill(spec.band.low);
      var high = new Array(n).fill(spec.band.high);
      // Two flat lines with the space between them filled: the target band.
      sets.push({
        type: "line",
        label: spec.band.label,
        data: high,
        borderColor: COLOURS.band,
        backgroundColor: COLOURS.bandFill,
        borderDash: [6, 4],
        borderWidth: 1,
        pointRadius: 0,
        fill: "+1",
        order: 1
      });
      sets.push({
        type: "line",
        label: spec.band.label,
        data: low,
        borderColor: COLOURS.band,
        borderDash: [6, 4],
        borderWidth: 1,
        pointRadius: 0,
        fill: false,
        order: 1,
        hideInLegend: true
      });
    }
    return sets;
  }

  function options(spec) {
    var y = {
      beginAtZero: true,
      grid: { color: COLOURS.grid },
      ticks: { color: COLOURS.muted, precision: 0 },
      title: { display: !!spec.yTitle, text: spec.yTitle, color: COLOURS.muted }
    };
    if (spec.percent) {
      y.max = 100;
      y.ticks.callback = percentTick;
    }
    if (spec.stacked) {
      y.stacked = true;
    }
    return {
      responsive: true,
      maintainAspectRatio: false,
      locale: locale(),
      animation: reducedMotion() ? false : { duration: 300 },
      interaction: { mode: "index", intersect: false },
      scales: {
        x: {
          stacked: !!spec.stacked,
          grid: { display: false },
          // Few labels (severities): show them all, slanted if need be. Long series of
          // dates: skip some rather than overlap.
          ticks: spec.labels.length > 12
            ? { color: COLOURS.muted, autoSkip: true, maxRotation: 0 }
            : { color: COLOURS.muted, autoSkip: false, maxRotation: 45 }
        },
        y: y
      },
      plugins: {
        legend: {
          display: spec.datasets.length > 1 || !!spec.band,
          labels: {
            color: COLOURS.text,
            filter: function (item, data) {
              return !data.datasets[item.datasetIndex].hideInLegend;
            }
          }
        },
        tooltip: {
          filter: function (item) {
            return !item.dataset.hideInLegend;
          }
        }
      }
    };
  }

  function draw(canvas, spec) {
    var chart = new window.Chart(canvas, {
      type: spec.kind,
      data: { labels: spec.labels, datasets: datasets(spec) },
      options: options(spec)
    });
    var table = canvas.closest(".figure") && canvas.closest(".figure").querySelector("details.figure-table");
    if (table) {
      table.open = false;
    }
    return chart;
  }

  function start() {
    var node = document.getElementById("figures-data");
    if (!node || !window.Chart) {
      return;
    }
    var data = JSON.parse(node.textContent);
    var byKey = {};
    data.charts.forEach(function (spec) {
      byKey[spec.key] = spec;
    });
    window.Chart.defaults.font.family = window.getComputedStyle(document.body).fontFamily;
    window.Chart.defaults.color = COLOURS.text;
    Array.prototype.forEach.call(document.querySelectorAll("canvas[data-chart]"), function (canvas) {
      var spec = byKey[canvas.getAttribute("data-chart")];
      if (spec) {
        draw(canvas, spec);
      }
    });
    document.documentElement.setAttribute("data-figures-ready", "true");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
