// What a narrow screen needs of every page. Without JavaScript the page works as it is.
//
// Folds: on a phone the header menu and the catalog's filters start folded behind their
// buttons («Меню», «Фильтры»); on a wider screen they are open and the buttons hidden (by
// the CSS). A fold marked data-keep-open (filters with an error to mend) stays open.
//
// Wide tables: a table wider than its wrapper scrolls sideways inside it; such a wrapper
// is made focusable and named after the table's caption, so the keyboard can scroll it too
// (a wrapper that does not scroll stays out of the tab order).
(function () {
  var narrow = window.matchMedia("(max-width: 40rem)");
  // Only when the width crosses the line: phones fire `resize` as the address bar hides on
  // scrolling, which must not fold what the visitor opened.
  function fold() {
    document.querySelectorAll("details.fold").forEach(function (d) {
      d.open = !narrow.matches || d.hasAttribute("data-keep-open");
    });
  }
  function reachable() {
    document.querySelectorAll(".table-wrap").forEach(function (w) {
      if (w.scrollWidth > w.clientWidth + 1) {
        var caption = w.querySelector("caption");
        w.tabIndex = 0;
        w.setAttribute("role", "region");
        w.setAttribute("aria-label", caption ? caption.textContent.trim() : "Таблица");
      } else {
        w.removeAttribute("tabindex");
        w.removeAttribute("role");
        w.removeAttribute("aria-label");
      }
    });
  }
  fold();
  reachable();
  narrow.addEventListener("change", fold);
  window.addEventListener("resize", reachable);
})();
