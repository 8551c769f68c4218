/* 挂图作战: a region's county-level units coloured by coverage status on any date, replayable
 * month by month. Shapes and data are served by qingxie itself (no CDN). The status of a unit
 * on a day follows from its dated spans exactly as the server's county_statuses() computes it:
 * standardized if a standardization span covers the day, else established if an active span
 * does, else none; units not in force that day are left out. */
(function () {
  "use strict";

  // The colours come from the page (ledger/colours.py), the one scheme the bulletin uses too.
  var COLORS = {};
  var RATE_BANDS = [
    [100, 100, null], [90, 99.99, "90%–99.9%"], [70, 89.99, "70%–89.9%"],
    [50, 69.99, "50%–69.9%"], [0, 49.99, null]
  ];
  var LABEL = { color: "#1f2933", textBorderColor: "#ffffff", textBorderWidth: 2 };
  var VALUES = { standardized: 2, established: 1, none: 0, uncounted: -1 };
  var LABELS = {};
  var T = {};

  // Fill "{name}" placeholders of a translated string.
  function fmt(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, k) { return k in values ? values[k] : m; });
  }

  function covers(spans, day) {
    for (var i = 0; i < spans.length; i++) {
      if (spans[i][0] <= day && (spans[i][1] === null || spans[i][1] > day)) { return true; }
    }
    return false;
  }

  function inForce(unit, day) {
    return (!unit.valid_from || unit.valid_from <= day) && (!unit.valid_to || unit.valid_to > day);
  }

  function statusOn(unit, day) {
    if (!inForce(unit, day)) { return null; }
    if (covers(unit.standardized, day)) { return "standardized"; }
    if (covers(unit.established, day)) { return "established"; }
    return "none";
  }

  // Half up to one decimal, as the server's rate() does.
  function rate(part, whole) {
    return whole ? Math.round((part * 1000) / whole) / 10 : null;
  }
  // Shown with one decimal always, as the pages do ("98.0%", not "98%").
  function pct(part, whole) {
    var r = rate(part, whole);
    return r === null ? "—" : r.toFixed(1);
  }

  // Lines drawn over the units: boundaries, the inset's frame, prefecture outlines.
  function isLine(code) { return code.indexOf("boundary-") === 0 || code.indexOf("outline-") === 0; }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function monthEnds(start, end) {
    var out = [];
    var y = +start.slice(0, 4), m = +start.slice(5, 7);
    var ey = +end.slice(0, 4), em = +end.slice(5, 7);
    while (y < ey || (y === ey && m < em)) {
      var last = new Date(Date.UTC(y, m, 0)).getUTCDate();
      out.push(y + "-" + pad(m) + "-" + pad(last));
      m += 1;
      if (m > 12) { m = 1; y += 1; }
    }
    out.push(end);
    return out;
  }

  function localDate(day) {
    // m/d unpadded for 2026年12月6日; mm/dd padded for 2026-12-06.
    return fmt(T.date_format, { y: +day.slice(0, 4), m: +day.slice(5, 7), d: +day.slice(8, 10),
                                mm: day.slice(5, 7), dd: day.slice(8, 10) });
  }

  function tally(counties, day) {
    var t = { counties: 0, established: 0, standardized: 0, none: 0 };
    counties.forEach(function (c) {
      var s = statusOn(c, day);
      if (s === null) { return; }
      t.counties += 1;
      if (s === "none") { t.none += 1; } else { t.established += 1; }
      if (s === "standardized") { t.standardized += 1; }
    });
    return t;
  }

  function linkFor(cfg, data, code, isCounty, day) {
    if (cfg.link === "dashboard") { return "/?region=" + code + "&as_of=" + day; }
    return isCounty ? "/regions/" + code + "/" : "/regions/" + code + "/map/?as_of=" + day;
  }

  function draw(el) {
    var panel = el.closest(".map-panel") || document;
    var cfg = JSON.parse(document.getElementById(el.dataset.config).textContent);
    T = cfg.i18n;
    LABELS = T.labels;
    COLORS = cfg.colours.status;
    cfg.colours.bands.forEach(function (b, i) { RATE_BANDS[i][3] = b[1]; });
    LABEL.color = cfg.colours.label;
    LABEL.textBorderColor = cfg.colours.halo;
    var legendEl = panel.querySelector("[data-map-legend]");
    RATE_BANDS[0][2] = T.rate_all;
    RATE_BANDS[4][2] = fmt(T.rate_below, { low: "50%" });
    var chart = echarts.init(el, null, { renderer: "svg" });
    var dateInput = panel.querySelector("[data-map-date]");
    var slider = panel.querySelector("[data-map-slider]");
    var play = panel.querySelector("[data-map-play]");
    var countsEl = panel.querySelector("[data-map-counts]");
    var labelEl = panel.querySelector("[data-map-as-of-label]");
    var table = document.querySelector("[data-county-table]");
    var months = [], timer = null, data = null, names = {}, places = {};
    var sortKey = "status", sortDir = 1;

    chart.showLoading({ text: T.loading });
    // Province and prefecture names for the table's 所属地市 (built beside the map files).
    var namesUrl = cfg.url.replace(/[^/]+\.json$/, "names.json");
    Promise.all([
      fetch(cfg.url, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) { throw new Error(fmt(T.map_failed, { status: r.status })); }
        return r.json();
      }),
      fetch(cfg.data_url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) {
          if (!r.ok) { throw new Error(fmt(T.data_failed, { status: r.status })); }
          return r.json();
        }),
      table
        ? fetch(namesUrl, { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : {}; })
          .catch(function () { return {}; })
        : Promise.resolve({})
    ]).then(function (loaded) {
      var geo = loaded[0];
      data = loaded[1];
      places = loaded[2] || {};
      if (cfg.codes) {
        var keep = new Set(cfg.codes);
        // A prefecture's outline stays when any of its units is drawn (广州's own border on
        // its page, every prefecture's on a province's).
        data.counties.forEach(function (c) { keep.add("outline-" + c.prefecture); });
        cfg.codes.forEach(function (code) { keep.add("outline-" + code); });
        geo.features = geo.features.filter(function (f) { return keep.has(f.properties.code); });
      }
      geo.features.forEach(function (f) {
        if (f.properties.code.indexOf("outline-") === 0) {
          places[f.properties.code.slice(8)] = f.properties.name;
        } else if (!isLine(f.properties.code)) {
          names[f.properties.code] = f.properties.name;
        }
      });
      data.counties.forEach(function (c) { names[c.code] = names[c.code] || c.name; });
      echarts.registerMap(cfg.key, geo);
      el.dataset.drawnFeatures = String(geo.features.filter(function (f) {
        return !isLine(f.properties.code);
      }).length);
      // The replay starts at the first association established in the region.
      var first = cfg.today || cfg.as_of;
      data.counties.forEach(function (c) {
        c.established.forEach(function (s) { if (s[0] < first) { first = s[0]; } });
      });
      months = monthEnds(first < "2000-01-01" ? "2000-01-01" : first, cfg.today || cfg.as_of);
      el.dataset.replayStart = months[0];
      slider.max = String(months.length - 1);
      chart.hideLoading();
      setupChart(geo);
      if (table) { setupTable(); }
      show(cfg.as_of);
    }).catch(function (err) {
      chart.hideLoading();
      el.classList.add("map-error");
      el.textContent = err.message;
      el.dataset.ready = "error";
    });

    function seriesData(day) {
      var out = [];
      var uncounted = new Set(data.uncounted);
      if (data.unit === "province") {
        var byProvince = {};
        data.counties.forEach(function (c) {
          (byProvince[c.province] = byProvince[c.province] || []).push(c);
        });
        cfg.units.forEach(function (code) {
          var t = tally(byProvince[code] || [], day);
          if (!t.counties) {
            out.push({ name: code, value: null, status: "uncounted", visualMap: false,
                       itemStyle: { areaColor: COLORS.uncounted, color: COLORS.uncounted } });
            return;
          }
          out.push({ name: code, value: rate(t.established, t.counties), tally: t });
        });
      } else {
        var byCode = {};
        data.counties.forEach(function (c) { byCode[c.code] = c; });
        cfg.units.forEach(function (code) {
          var s = uncounted.has(code) ? "uncounted" : byCode[code] ? statusOn(byCode[code], day) : null;
          if (s === null) { return; }
          out.push({ name: code, value: VALUES[s], status: s });
        });
      }
      return out;
    }

    function setupChart(geo) {
      cfg.units = geo.features.map(function (f) { return f.properties.code; })
        .filter(function (code) { return !isLine(code); });
      // Units drawn from the data but without a shape still count (they are listed beside the map).
      var shaped = new Set(cfg.units);
      if (data.unit === "county") {
        data.counties.forEach(function (c) { if (!shaped.has(c.code)) { cfg.units.push(c.code); } });
        data.uncounted.forEach(function (code) { if (!shaped.has(code)) { cfg.units.push(code); } });
      }
      var boundaries = geo.features
        .filter(function (f) { return isLine(f.properties.code); })
        .map(function (f) {
          // A prefecture's outline is darker and thicker than the county borders inside it.
          var outline = f.properties.code.indexOf("outline-") === 0;
          return { name: f.properties.code, silent: true, visualMap: false,
                   label: { show: false }, emphasis: { disabled: true },
                   itemStyle: { borderColor: outline ? "#2f3a45" : "#7a8591",
                                borderWidth: outline ? 1.6 : 1, areaColor: "transparent" } };
        });
      cfg.boundaries = boundaries;
      var frame = geo.features.filter(function (f) { return f.properties.code === "boundary-inset"; })[0];
      cfg.inset = frame ? frame.geometry.coordinates : null;
      // The colour key is drawn below the map in HTML (never over a shape); ECharts only maps.
      var visualMap = data.unit === "province"
        ? { type: "piecewise", show: false,
            // Bands at the national targets' milestones (50 %, 70 %, 100 %).
            pieces: RATE_BANDS.map(function (b) { return { min: b[0], max: b[1], label: b[2], color: b[3] }; }) }
        : { type: "piecewise", show: false,
            pieces: ["standardized", "established", "none", "uncounted"].map(function (s) {
              return { value: VALUES[s], label: LABELS[s], color: COLORS[s] };
            }) };
      chart.setOption({
        animation: false,
        tooltip: {
          trigger: "item",
          formatter: function (p) {
            if (!p.data || p.data.silent) { return ""; }
            var name = names[p.data.name] || p.data.name;
            if (p.data.tally) {
              var t = p.data.tally;
              return name + "<br>" + fmt(T.province_tip, {
                counties: t.counties, established: t.established, none: t.none,
                rate: pct(t.established, t.counties), standardized: t.standardized,
                std_rate: pct(t.standardized, t.counties)
              });
            }
            return name + "（" + p.data.name + "）<br>" + LABELS[p.data.status];
          }
        },
        visualMap: visualMap,
        series: [{
          type: "map", map: cfg.key, nameProperty: "code", roam: true, selectedMode: false,
          data: [],
          label: { show: !cfg.national && cfg.units.length <= 40, fontSize: 11,
                   color: LABEL.color, textBorderColor: LABEL.textBorderColor,
                   textBorderWidth: LABEL.textBorderWidth,
                   formatter: function (p) { return names[p.name] || ""; } },
          emphasis: { label: { show: true, color: LABEL.color, textBorderColor: LABEL.textBorderColor,
                               textBorderWidth: LABEL.textBorderWidth,
                               formatter: function (p) { return names[p.name] || ""; } } },
          itemStyle: { borderColor: "#ffffff", borderWidth: 0.6 }
        }]
      });
      drawLegend(visualMap.pieces);
      if (cfg.inset) {
        placeInsetLabel();
        chart.on("georoam", placeInsetLabel);
        chart.on("finished", placeInsetLabel);
      }
      chart.on("click", function (p) {
        if (!p.data || p.data.silent || p.data.status === "uncounted") { return; }
        window.location.href = linkFor(cfg, data, p.data.name, data.unit === "county", el.dataset.asOf);
      });
    }

    // "南海诸岛" written inside the inset's frame, wherever roaming has moved it.
    function placeInsetLabel() {
      var c = cfg.inset;
      var xs = c.map(function (p) { return p[0]; }), ys = c.map(function (p) { return p[1]; });
      // Centred under the frame: inside it the words would cover islands on a narrow screen.
      var at = chart.convertToPixel({ seriesIndex: 0 },
        [(Math.max.apply(null, xs) + Math.min.apply(null, xs)) / 2, Math.min.apply(null, ys)]);
      if (!at) { return; }
      var text = { type: "text", id: "inset-label", silent: true, z: 100,
                   x: at[0], y: at[1] + 3,
                   style: { text: T.inset, fill: LABEL.color, font: "11px sans-serif",
                            align: "center", verticalAlign: "top" } };
      var current = chart.getOption().graphic;
      var same = current && current[0] && current[0].elements && current[0].elements[0] &&
        Math.abs(current[0].elements[0].x - text.x) < 0.5 && Math.abs(current[0].elements[0].y - text.y) < 0.5;
      if (!same) { chart.setOption({ graphic: { elements: [text] } }); }
      el.dataset.inset = "true";
    }

    function drawLegend(pieces) {
      if (!legendEl) { return; }
      legendEl.textContent = "";
      var entries = pieces.map(function (p) { return [p.label, p.color]; });
      if (data.unit === "province") {
        // 台湾, 香港, 澳门 (and any province without county-level data) are drawn grey.
        entries.push([T.labels.not_counted_national, COLORS.uncounted]);
      }
      entries.forEach(function (e) {
        var li = document.createElement("li");
        var sw = document.createElement("span");
        sw.className = "swatch";
        sw.style.background = e[1];
        li.append(sw, document.createTextNode(e[0]));
        legendEl.appendChild(li);
      });
    }

    // The chosen date goes into the address, so a shared or reloaded link shows the same day.
    function remember(day) {
      var url = new URL(window.location.href);
      url.searchParams.set("as_of", day);
      window.history.replaceState(null, "", url.toString());
    }

    function show(day) {
      var items = seriesData(day);
      chart.setOption({ series: [{ data: items.concat(cfg.boundaries) }] });
      var t = tally(data.counties, day);
      countsEl.textContent = t.counties
        ? fmt(T.counts, {
          counties: t.counties, established: t.established, none: t.none,
          rate: pct(t.established, t.counties), standardized: t.standardized,
          std_rate: pct(t.standardized, t.counties)
        })
        : T.no_counties;
      if (labelEl) { labelEl.textContent = localDate(day); }
      dateInput.value = day;
      var idx = months.findIndex(function (m) { return m >= day; });
      slider.value = String(idx < 0 ? months.length - 1 : idx);
      document.querySelectorAll("[data-unit-status]").forEach(function (dot) {
        var c = data.counties.find(function (u) { return u.code === dot.dataset.unitStatus; });
        var s = c ? statusOn(c, day) : null;
        dot.textContent = s ? LABELS[s] : "";
        dot.className = "status-dot" + (s ? " status-" + s : "");
      });
      if (table) { fillTable(day); }
      el.dataset.asOf = day;
      el.dataset.ready = "true";
    }

    // Where a county lies: its prefecture (省直辖 when it has none), with the province nationally.
    // A municipality's districts have no prefecture at all: they show the municipality.
    var withPrefectures = null;
    function placeOf(c) {
      if (withPrefectures === null) {
        withPrefectures = new Set();
        data.counties.forEach(function (u) { if (u.prefecture !== u.code) { withPrefectures.add(u.province); } });
      }
      var province = places[c.province] || c.province;
      var direct = withPrefectures.has(c.province) ? T.direct : province;
      var pref = c.prefecture !== c.code ? (places[c.prefecture] || c.prefecture) : direct;
      if (data.unit !== "province" || pref === province) { return pref; }
      return province + " · " + pref;
    }

    // The filter groups counties by prefecture below the nation, by province on the national map.
    function groupOf(c) {
      return data.unit === "province" ? c.province : (c.prefecture !== c.code ? c.prefecture : "");
    }

    function setupTable() {
      var filterEl = document.querySelector("[data-county-filter]");
      var statusEl = document.querySelector("[data-county-status-filter]");
      var searchEl = document.querySelector("[data-county-search]");
      if (filterEl) {
        var groups = {};
        data.counties.forEach(function (c) {
          var g = groupOf(c);
          groups[g] = g ? places[g] || g : T.direct;
        });
        Object.keys(groups).sort().forEach(function (g) {
          var o = document.createElement("option");
          o.value = g === "" ? "-" : g;
          o.textContent = groups[g];
          filterEl.appendChild(o);
        });
      }
      [filterEl, statusEl, searchEl].forEach(function (input) {
        if (input) { input.addEventListener("input", function () { fillTable(el.dataset.asOf); }); }
      });
      document.querySelectorAll("[data-sort]").forEach(function (btn) {
        btn.addEventListener("click", function () {
          var key = btn.dataset.sort;
          sortDir = sortKey === key ? -sortDir : 1;
          sortKey = key;
          document.querySelectorAll("[data-sort]").forEach(function (b) {
            b.closest("th").setAttribute("aria-sort", b === btn
              ? (sortDir > 0 ? "ascending" : "descending") : "none");
          });
          fillTable(el.dataset.asOf);
        });
      });
    }

    function compare(a, b) {
      var by = {
        name: function (r) { return r.c.name; },
        place: function (r) { return r.place; },
        code: function (r) { return r.c.code; },
        status: function (r) { return VALUES[r.s]; }
      }[sortKey];
      var x = by(a), y = by(b);
      var d = typeof x === "number" ? x - y : x.localeCompare(y, "zh-Hans-CN");
      return sortDir * d || (a.c.code < b.c.code ? -1 : 1);
    }

    function fillTable(day) {
      var filterEl = document.querySelector("[data-county-filter]");
      var statusEl = document.querySelector("[data-county-status-filter]");
      var searchEl = document.querySelector("[data-county-search]");
      var group = filterEl ? filterEl.value : "";
      var wanted = statusEl ? statusEl.value : "";
      var text = searchEl ? searchEl.value.trim() : "";
      var rows = data.counties
        .map(function (c) { return { c: c, s: statusOn(c, day), place: placeOf(c) }; })
        // Nationally only the units still without an association; below, every unit.
        .filter(function (r) { return r.s !== null && (data.unit !== "province" || r.s === "none"); })
        .filter(function (r) {
          if (group && (group === "-" ? groupOf(r.c) !== "" : groupOf(r.c) !== group)) { return false; }
          if (wanted && r.s !== wanted) { return false; }
          return !text || r.c.name.indexOf(text) >= 0 || r.c.code.indexOf(text) === 0 ||
            r.place.indexOf(text) >= 0;
        })
        .sort(compare);
      table.textContent = "";
      rows.forEach(function (r) {
        var tr = document.createElement("tr");
        tr.dataset.code = r.c.code;
        tr.dataset.status = r.s;
        var a = document.createElement("a");
        a.href = "/regions/" + r.c.code + "/";
        a.textContent = r.c.name;
        var td1 = document.createElement("td"); td1.appendChild(a);
        var tdp = document.createElement("td"); tdp.className = "place"; tdp.textContent = r.place;
        var td2 = document.createElement("td"); td2.className = "code"; td2.textContent = r.c.code;
        var td3 = document.createElement("td");
        var badge = document.createElement("span");
        badge.className = "status-dot status-" + r.s;
        badge.textContent = LABELS[r.s];
        td3.appendChild(badge);
        tr.append(td1, tdp, td2, td3);
        table.appendChild(tr);
      });
      var shown = document.querySelector("[data-county-shown]");
      if (shown) { shown.textContent = fmt(T.shown, { n: rows.length }); }
    }

    function stop() {
      if (timer) { clearInterval(timer); timer = null; }
      play.textContent = "▶ " + T.play;
      play.setAttribute("aria-pressed", "false");
    }

    dateInput.addEventListener("change", function () {
      if (!data || !/^\d{4}-\d{2}-\d{2}$/.test(dateInput.value)) { return; }
      stop();
      var max = cfg.today || cfg.as_of;
      show(dateInput.value > max ? max : dateInput.value);
      remember(el.dataset.asOf);
    });
    slider.addEventListener("input", function () {
      if (!data) { return; }
      stop();
      show(months[+slider.value]);
      remember(el.dataset.asOf);
    });
    play.addEventListener("click", function () {
      if (!data) { return; }
      if (timer) { stop(); return; }
      var i = +slider.value >= months.length - 1 ? 0 : +slider.value;
      play.textContent = "❚❚ " + T.pause;
      play.setAttribute("aria-pressed", "true");
      // The whole history in about ten seconds, however long it is.
      var step = Math.max(40, Math.min(350, Math.round(10000 / months.length)));
      timer = setInterval(function () {
        show(months[i]);
        i += 1;
        if (i >= months.length) { stop(); remember(el.dataset.asOf); }
      }, step);
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function init() {
    document.querySelectorAll("[data-coverage-map]").forEach(function (el) {
      if (typeof echarts === "undefined") {
        el.textContent = JSON.parse(document.getElementById(el.dataset.config).textContent).i18n.no_echarts;
        return;
      }
      draw(el);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
