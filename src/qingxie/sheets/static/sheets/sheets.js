// Upload page: refuse a file over the limit before sending it, and show that the upload is on its way.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form) return;
  var input = form.querySelector("input[type=file]");
  var tooBig = document.getElementById("file-too-big");
  var busy = document.getElementById("upload-busy");
  var submit = document.getElementById("upload-submit");
  var limit = parseInt(form.getAttribute("data-max-bytes"), 10) || 0;

  function oversized() {
    var file = input && input.files && input.files[0];
    return Boolean(file && limit && file.size > limit);
  }

  if (input) {
    input.addEventListener("change", function () {
      tooBig.hidden = !oversized();
    });
  }
  form.addEventListener("submit", function (event) {
    if (oversized()) {
      tooBig.hidden = false;
      event.preventDefault();
      return;
    }
    busy.hidden = false;
    submit.disabled = true;
  });
})();
