/* Monthly coverage trend of one region, drawn with the locally served ECharts (no CDN). */
(function () {
  "use strict";

  function draw(el) {
    var cfg = JSON.parse(document.getElementById(el.dataset.config).textContent);
    var chart = echarts.init(el, null, { renderer: "svg" });
    var targets = cfg.targets.map(function (t) {
      return { name: "目标 " + t.rate + "%", xAxis: t.date.slice(0, 7), yAxis: t.rate };
    });
    chart.setOption({
      animation: false,
      tooltip: {
        trigger: "axis",
        valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + "%"; }
      },
      legend: { data: ["县级协会覆盖率", "规范化建设覆盖率"], top: 0 },
      grid: { left: 48, right: 24, top: 36, bottom: 36 },
      xAxis: { type: "category", data: cfg.dates.map(function (d) { return d.slice(0, 7); }) },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: [
        {
          name: "县级协会覆盖率", type: "line", data: cfg.coverage, symbolSize: 4,
          itemStyle: { color: "#c8102e" },
          markPoint: targets.length ? {
            symbol: "pin", symbolSize: 36, itemStyle: { color: "#b35c00" },
            label: { fontSize: 10, formatter: function (p) { return p.value + "%"; } },
            data: targets.filter(function (t) { return cfg.dates.some(function (d) { return d.slice(0, 7) === t.xAxis; }); })
              .map(function (t) { return { coord: [t.xAxis, t.yAxis], value: t.yAxis, name: t.name }; })
          } : undefined
        },
        {
          name: "规范化建设覆盖率", type: "line", data: cfg.standardized, symbolSize: 4,
          itemStyle: { color: "#1d5fa8" }
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
