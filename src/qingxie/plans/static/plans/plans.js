/* The plans pages' charts: a plan's timeline (倒排工期) and the plan-status map (挂图作战).
 * ECharts and the map shapes are served by qingxie itself (the regions app builds the shapes;
 * this reuses them by URL). Data comes from json_script elements, never inline scripts. */
(function () {
  "use strict";

  var COLOURS = {
    not_needed: "#c9d6e3", missing: "#9e9e9e", on_track: "#4caf50",
    at_risk: "#ffb300", overdue: "#e53935", done: "#1e88e5"
  };
  var TASK_COLOURS = { done: "#1e88e5", overdue: "#e53935", open: "#4caf50" };

  function config(el) {
    return JSON.parse(document.getElementById(el.getAttribute("data-config")).textContent);
  }

  function day(iso) { return new Date(iso + "T00:00:00").getTime(); }

  function timeline(el) {
    var cfg = config(el);
    var s = cfg.strings || {};  // the words come translated from the server
    var tasks = cfg.tasks;
    // One row per task: the chart grows with the plan rather than squeezing its rows.
    el.style.height = Math.max(220, 70 + tasks.length * 26) + "px";
    var chart = echarts.init(el);
    var names = tasks.map(function (t) { return t.title; });
    chart.setOption({
      animation: false,
      grid: { left: 150, right: 24, top: 30, bottom: 40, containLabel: false },
      tooltip: {
        formatter: function (p) {
          var t = tasks[p.value[0]];
          return t.title + "<br>" + (s.start || "最迟开始") + " " + t.start + "<br>" + (s.due || "最迟完成") + " " + t.due +
            (t.done_on ? "<br>" + (s.done || "完成于") + " " + t.done_on : "") + "<br>" + t.owner_level;
        }
      },
      xAxis: { type: "time", min: Math.min.apply(null, tasks.map(function (t) { return day(t.start); }).concat([day(cfg.today)])) - 864e5 * 7 },
      yAxis: { type: "category", data: names, inverse: true, axisLabel: { width: 140, overflow: "truncate" } },
      series: [{
        type: "custom",
        renderItem: function (params, api) {
          var y = api.value(0);
          var start = api.coord([api.value(1), y]);
          var end = api.coord([api.value(2), y]);
          var h = api.size([0, 1])[1] * 0.6;
          return {
            type: "rect",
            shape: { x: start[0], y: start[1] - h / 2, width: Math.max(2, end[0] - start[0]), height: h },
            style: api.style({ fill: TASK_COLOURS[tasks[y].state] })
          };
        },
        encode: { x: [1, 2], y: 0 },
        data: tasks.map(function (t) { return [t.i, day(t.start), day(t.due)]; }),
        markLine: {
          symbol: "none",
          label: { formatter: "{b}" },
          data: [
            { name: s.target || "目标日期", xAxis: day(cfg.target), lineStyle: { color: "#333" } },
            { name: s.today || "今天", xAxis: day(cfg.today), lineStyle: { color: "#e53935", type: "dashed" } }
          ]
        }
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function statusMap(el) {
    var cfg = config(el);
    var byCode = {};
    cfg.units.forEach(function (u) { byCode[u.code] = u; });
    var chart = echarts.init(el);
    chart.showLoading();
    fetch(cfg.map, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error(r.status); }
      return r.json();
    }).then(function (geo) {
      // Keep the units of this region (a city draws its own counties from the province file).
      geo = { type: "FeatureCollection", features: geo.features.filter(function (f) { return byCode[f.properties.code]; }) };
      echarts.registerMap("plans-" + cfg.region, geo);
      chart.hideLoading();
      chart.setOption({
        tooltip: {
          formatter: function (p) {
            var u = byCode[p.data && p.data.code];
            return u ? u.name + "：" + u.label : p.name;
          }
        },
        series: [{
          type: "map", map: "plans-" + cfg.region, nameProperty: "code", roam: true,
          label: { show: false },
          emphasis: { label: { show: true, formatter: function (p) { var u = byCode[p.name]; return u ? u.name : p.name; } } },
          data: cfg.units.map(function (u) {
            return { name: u.code, code: u.code, itemStyle: { areaColor: COLOURS[u.status] } };
          })
        }]
      });
      chart.on("click", function (p) {
        if (p.data && p.data.code) { window.location = el.getAttribute("data-list-url") + "?region=" + p.data.code; }
      });
    }).catch(function () {
      chart.hideLoading();
      el.textContent = (cfg.strings && cfg.strings.no_map) || "地图文件暂不可用，请见下表。";
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.querySelectorAll("[data-plan-timeline]").forEach(timeline);
  document.querySelectorAll("[data-plan-map]").forEach(statusMap);
})();
