/* The region picker: every <input data-region-picker> offers regions by name or code as the
 * cadre types (the browser's own <datalist>, filled from /api/regions/?q=). Choosing one puts
 * its code in the box; a name typed and not chosen still works (the filter reads names). */
(function () {
  "use strict";
  var seq = 0;

  function attach(input) {
    var list = document.createElement("datalist");
    list.id = "region-options-" + (++seq);
    input.setAttribute("list", list.id);
    input.after(list);
    var timer = null, last = "";
    input.addEventListener("input", function () {
      var q = input.value.trim();
      if (q === last || q.length < 1 || /^\d{6,}$/.test(q)) { return; }
      clearTimeout(timer);
      timer = setTimeout(function () {
        last = q;
        fetch("/api/regions/?q=" + encodeURIComponent(q) + "&page_size=15", {
          credentials: "same-origin", headers: { Accept: "application/json" }
        }).then(function (r) { return r.ok ? r.json() : { results: [] }; }).then(function (body) {
          var rows = body.results || body;
          list.textContent = "";
          rows.slice(0, 15).forEach(function (r) {
            var option = document.createElement("option");
            option.value = r.code;
            option.label = r.name + " · " + (r.level_display || "") + " " + r.code;
            option.textContent = option.label;
            list.appendChild(option);
          });
          input.dataset.pickerReady = String(rows.length);
        });
      }, 200);
    });
  }

  function init() { document.querySelectorAll("input[data-region-picker], #export-form input[name=region]").forEach(attach); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
