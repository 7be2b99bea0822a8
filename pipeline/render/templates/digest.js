/* The digest's filter: show the reports whose title or summaries contain every word typed. No network. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var input = document.getElementById("filter");
  var shown = document.getElementById("shown");
  var reports = document.querySelectorAll("article.report");
  function apply() {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var count = 0;
    for (var i = 0; i < reports.length; i++) {
      var text = reports[i].textContent.toLowerCase();
      var match = words.every(function (w) { return text.indexOf(w) >= 0; });
      reports[i].classList.toggle("hidden", !match);
      if (match) count++;
    }
    shown.textContent = words.length ? count + " of " + reports.length + " reports" : "";
  }
  if (input) input.addEventListener("input", apply);
})();
