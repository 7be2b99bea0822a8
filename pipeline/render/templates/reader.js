/* The reader's behaviour: summary sentence -> its source segments, and the view toggles. No network. */
(function () {
  "use strict";
  var root = document.documentElement;
  var body = document.body;
  root.classList.add("js");

  function sourcesOf(sentence) {
    var ids = (sentence.getAttribute("data-sources") || "").split(" ");
    var found = [];
    for (var i = 0; i < ids.length; i++) {
      var el = ids[i] ? document.getElementById(ids[i]) : null;
      if (el) found.push(el);
    }
    return found;
  }

  function clear(cls) {
    var marked = document.querySelectorAll("." + cls);
    for (var i = 0; i < marked.length; i++) marked[i].classList.remove(cls);
  }

  function mark(sentence, cls) {
    var sources = sourcesOf(sentence);
    for (var i = 0; i < sources.length; i++) sources[i].classList.add(cls);
    return sources;
  }

  function select(sentence, scroll) {
    clear("hl");
    clear("active");
    sentence.classList.add("active");
    var sources = mark(sentence, "hl");
    if (scroll && sources.length) {
      var reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
      sources[0].scrollIntoView({ behavior: reduce ? "auto" : "smooth", block: "center" });
    }
  }

  var sentences = document.querySelectorAll(".ss");
  for (var i = 0; i < sentences.length; i++) {
    (function (sentence) {
      sentence.addEventListener("mouseenter", function () { mark(sentence, "hl-hover"); });
      sentence.addEventListener("mouseleave", function () { clear("hl-hover"); });
      sentence.addEventListener("click", function (event) {
        // A click on one source link follows that link; anywhere else shows every source.
        var onLink = event.target.closest && event.target.closest("a");
        select(sentence, !onLink);
      });
      sentence.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          select(sentence, true);
        }
      });
    })(sentences[i]);
  }

  function toggle(id, apply) {
    var box = document.getElementById(id);
    if (!box) return;
    box.addEventListener("change", function () { apply(box.checked, box); });
  }

  toggle("only-flagged", function (on) { body.classList.toggle("only-flagged", on); });
  toggle("interleave", function (on) { body.classList.toggle("interleaved", on); });
  function language(mine, other) {
    return function (on) {
      body.classList.toggle("hide-" + mine, !on);
      if (!on && body.classList.contains("hide-" + other)) {  // never hide both languages
        body.classList.remove("hide-" + other);
        document.getElementById("show-" + other).checked = true;
      }
    };
  }
  toggle("show-zh", language("zh", "en"));
  toggle("show-en", language("en", "zh"));
})();
