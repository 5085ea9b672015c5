// The print button of a printable form (no inline handlers: the pages' CSP forbids them).
(function () {
  "use strict";
  function wire() {
    var button = document.getElementById("print");
    if (button) { button.addEventListener("click", function () { window.print(); }); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();
