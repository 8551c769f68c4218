/* Monthly coverage trend of one region, drawn with the locally served ECharts (no CDN). */
(function () {
  "use strict";

  function draw(el) {
    var cfg = JSON.parse(document.getElementById(el.dataset.config).textContent);
    var chart = echarts.init(el, null, { renderer: "svg" });
    var s = cfg.strings || {};  // the words come translated from the server
    var months = cfg.dates.map(function (d) { return d.slice(0, 7); });
    // Each due target is drawn as a diamond at its month, when that month is on the axis.
    var targets = cfg.targets
      .filter(function (t) { return months.indexOf(t.date.slice(0, 7)) >= 0; })
      .map(function (t) { return { value: [t.date.slice(0, 7), t.rate], due: t.date }; });
    // The rate the targets require on each month end: a dashed line under each actual line.
    var required = [];
    var legend = [s.coverage || "县级协会覆盖率", s.standardized || "规范化建设覆盖率"];
    [["required_coverage", s.required_coverage || "覆盖率应达", "#c8102e"], ["required_standardized", s.required_standardized || "规范化率应达", "#1d5fa8"]]
      .forEach(function (r) {
        if (!cfg[r[0]] || cfg[r[0]].every(function (v) { return v === null; })) { return; }
        legend.push(r[1]);
        required.push({
          name: r[1], type: "line", data: cfg[r[0]], step: false, showSymbol: false,
          lineStyle: { type: "dashed", width: 1.5, color: r[2], opacity: 0.7 },
          itemStyle: { color: r[2] }
        });
      });
    legend.push(s.targets || "覆盖目标");
    chart.setOption({
      animation: false,
      tooltip: {
        trigger: "axis",
        valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + "%"; }
      },
      // One line that pages sideways on a narrow screen, never wrapped into the drawing.
      legend: { data: legend, top: 0, type: "scroll" },
      grid: { left: 48, right: 24, top: 36, bottom: 36 },
      xAxis: { type: "category", data: months },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: [
        {
          name: legend[0], type: "line", data: cfg.coverage, symbolSize: 4,
          itemStyle: { color: "#c8102e" }
        },
        {
          name: legend[1], type: "line", data: cfg.standardized, symbolSize: 4,
          itemStyle: { color: "#1d5fa8" }
        },
      ].concat(required).concat([
        {
          name: s.targets || "覆盖目标", type: "scatter", data: targets, symbol: "diamond", symbolSize: 12,
          itemStyle: { color: "#b35c00" },
          label: { show: true, position: "right", fontSize: 11, formatter: function (p) { return p.value[1] + "%"; } }
        }
      ])
    });
    el.dataset.ready = "true";
    el.dataset.points = String(cfg.dates.length);
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function init() {
    var el = document.querySelector("[data-coverage-chart]");
    if (!el) { return; }
    if (typeof echarts === "undefined") {
      var cfg = JSON.parse(document.getElementById(el.dataset.config).textContent);
      el.textContent = (cfg.strings && cfg.strings.no_echarts) || "图表组件未能载入。";
      return;
    }
    draw(el);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
