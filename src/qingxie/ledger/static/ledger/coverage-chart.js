/* Monthly coverage trend of one region, drawn with the locally served ECharts (no CDN). */
(function () {
  "use strict";

  function draw(el) {
    var cfg = JSON.parse(document.getElementById(el.dataset.config).textContent);
    var chart = echarts.init(el, null, { renderer: "svg" });
    var months = cfg.dates.map(function (d) { return d.slice(0, 7); });
    // Each due target is drawn as a diamond at its month, when that month is on the axis.
    var targets = cfg.targets
      .filter(function (t) { return months.indexOf(t.date.slice(0, 7)) >= 0; })
      .map(function (t) { return { value: [t.date.slice(0, 7), t.rate], due: t.date }; });
    chart.setOption({
      animation: false,
      tooltip: {
        trigger: "axis",
        valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + "%"; }
      },
      legend: { data: ["县级协会覆盖率", "规范化建设覆盖率", "覆盖目标"], top: 0 },
      grid: { left: 48, right: 24, top: 36, bottom: 36 },
      xAxis: { type: "category", data: months },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: [
        {
          name: "县级协会覆盖率", type: "line", data: cfg.coverage, symbolSize: 4,
          itemStyle: { color: "#c8102e" }
        },
        {
          name: "规范化建设覆盖率", type: "line", data: cfg.standardized, symbolSize: 4,
          itemStyle: { color: "#1d5fa8" }
        },
        {
          name: "覆盖目标", type: "scatter", data: targets, symbol: "diamond", symbolSize: 12,
          itemStyle: { color: "#b35c00" },
          label: { show: true, position: "right", fontSize: 11, formatter: function (p) { return p.value[1] + "%"; } }
        }
      ]
    });
    el.dataset.ready = "true";
    el.dataset.points = String(cfg.dates.length);
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function init() {
    var el = document.querySelector("[data-coverage-chart]");
    if (!el) { return; }
    if (typeof echarts === "undefined") {
      el.textContent = "图表组件未能载入。";
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
