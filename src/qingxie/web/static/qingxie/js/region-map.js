/* Draw a region's map from a locally served GeoJSON file (qingxie: no CDN). */
(function () {
  "use strict";

  function drawMap(el) {
    var cfg = JSON.parse(document.getElementById(el.dataset.config).textContent);
    var chart = echarts.init(el, null, { renderer: "svg" });
    var s = cfg.strings || {};  // the words come translated from the server
    chart.showLoading({ text: s.loading || "地图加载中…" });
    fetch(cfg.url, { credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) { throw new Error("地图文件 " + cfg.url + " 无法读取（" + r.status + "）"); }
        return r.json();
      })
      .then(function (geo) {
        if (cfg.codes) {
          var keep = new Set(cfg.codes);
          geo.features = geo.features.filter(function (f) { return keep.has(f.properties.code); });
        }
        // Prefecture outlines ("outline-…", regions/maps.py) are lines like the boundaries.
        var isBoundary = function (code) {
          return code.indexOf("boundary-") === 0 || code.indexOf("outline-") === 0;
        };
        var drawn = geo.features.filter(function (f) { return !isBoundary(f.properties.code); }).length;
        echarts.registerMap(cfg.key, geo);
        var values = cfg.data.map(function (d) { return d.value; });
        var data = cfg.data.map(function (d) {
          return { name: d.code, value: d.value, label_name: d.name, url: d.url,
                   value_text: d.value_text };
        });
        // A unit whose value is null (no figure, e.g. no assessment sheet) is drawn grey,
        // outside the colour scale, and its tooltip says so instead of showing a number.
        values = values.filter(function (v) { return v !== null; });
        data.forEach(function (item) {
          if (item.value !== null) { return; }
          item.visualMap = false;
          var grey = cfg.nullColor || "#d5d9de";
          item.itemStyle = { areaColor: grey, color: grey };
          item.tooltip = { formatter: function (p) {
            return p.data.label_name + "（" + p.data.name + "）<br>" + (cfg.nullText || "无数据");
          } };
        });
        // Boundary lines (南海诸岛 among them) are drawn as thin grey strokes, never coloured.
        geo.features.forEach(function (f) {
          if (isBoundary(f.properties.code)) {
            data.push({ name: f.properties.code, silent: true, visualMap: false,
                        itemStyle: { borderColor: "#7a8591", borderWidth: 1, areaColor: "transparent" } });
          }
        });
        chart.hideLoading();
        chart.setOption({
          tooltip: {
            trigger: "item",
            formatter: function (p) {
              if (!p.data) { return ""; }
              // value_text (optional): what a categorical value means ("已下沉").
              var shown = p.data.value_text !== undefined ? p.data.value_text : p.data.value;
              return p.data.label_name + "（" + p.data.name + "）<br>" + cfg.measure + "：" + shown;
            }
          },
          // cfg.pieces (optional): categories [{value, label, color}] instead of a scale.
          visualMap: cfg.pieces ? {
            type: "piecewise",
            pieces: cfg.pieces,
            left: 8,
            bottom: 8
          } : {
            min: Math.min.apply(null, values.concat([0])),
            max: Math.max.apply(null, values.concat([1])),
            text: [s.more || "多", s.less || "少"],
            calculable: true,
            left: 8,
            bottom: 8,
            inRange: { color: ["#e0f3f8", "#74add1", "#313695"] }
          },
          series: [{
            type: "map",
            map: cfg.key,
            nameProperty: "code",
            roam: true,
            selectedMode: false,
            data: data,
            label: { show: !cfg.national && drawn <= 40, fontSize: 10,
                     formatter: function (p) { return p.data ? p.data.label_name : ""; } },
            emphasis: { label: { show: true, formatter: function (p) { return p.data ? p.data.label_name : ""; } } },
            itemStyle: { borderColor: "#ffffff", borderWidth: 0.6 }
          }]
        });
        chart.on("click", function (p) {
          if (p.data && p.data.url) { window.location.href = p.data.url; }
        });
        el.dataset.drawnFeatures = String(drawn);
        el.dataset.ready = "true";
      })
      .catch(function (err) {
        chart.hideLoading();
        el.classList.add("map-error");
        el.textContent = err.message;
        el.dataset.ready = "error";
      });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.querySelectorAll("[data-region-map]").forEach(drawMap);
})();
