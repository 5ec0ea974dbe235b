/* The book's accessibility fixes to sphinx-book-theme's markup, run on every page (waferscale._sphinx).
 *
 * 1. The search field button shows "Search Ctrl+K" but is labelled "Search": a speech-input user who
 *    says what they see would not reach it (WCAG 2.5.3, axe label-content-name-mismatch). Its
 *    visible text is a good name, so the aria-label goes and the text names it.
 * 2. Font Awesome icons inside a labelled button ("Color mode") become <svg role="img"> with their
 *    own <title> ("Light", "Dark"), which then counts as visible text that the button's label does
 *    not contain (same rule). Inside a labelled control they are decoration: aria-hidden, no
 *    title (the button keeps its tooltip, "Color mode"). Font
 *    Awesome swaps <i> for <svg> asynchronously, so new icons are fixed as they appear.
 * 3. The primary sidebar (book title, search, chapter list) is a plain <div>, so its book title sits
 *    outside every landmark (axe region): it becomes a labelled complementary landmark.
 * 4. A chapter with sections gets a <details> toggle in the sidebar whose <summary> holds only a
 *    chevron icon, so it has no name (axe summary-name, serious): it is named after its chapter.
 */
(function () {
  var ICON = "i, svg.svg-inline--fa";
  var LABELLED = "button[aria-label], a[aria-label]";

  function hide(icon) {
    if (!icon.closest || !icon.closest(LABELLED)) return;
    icon.setAttribute("aria-hidden", "true");
    icon.removeAttribute("aria-labelledby");
    icon.removeAttribute("role");
    // axe counts an icon's <title> as visible text even when the icon is aria-hidden
    Array.prototype.slice.call(icon.querySelectorAll("title")).forEach(function (t) { t.remove(); });
    icon.removeAttribute("title");
  }

  function fix() {
    var side = document.getElementById("pst-primary-sidebar");
    if (side && !side.getAttribute("role")) {
      side.setAttribute("role", "complementary");
      side.setAttribute("aria-label", "Book contents");
    }
    document.querySelectorAll("li.has-children > details > summary").forEach(function (sm) {
      if (sm.getAttribute("aria-label") || sm.textContent.trim()) return;
      var link = sm.closest("li").querySelector(":scope > a");
      sm.setAttribute("aria-label", "Sections of " + (link ? link.textContent.trim() : "this chapter"));
    });
    document.querySelectorAll(".search-button-field[aria-label]").forEach(function (b) {
      b.removeAttribute("aria-label");
    });
    document.querySelectorAll(LABELLED).forEach(function (c) {
      c.querySelectorAll(ICON).forEach(hide);
    });
  }

  function start() {
    fix();
    new MutationObserver(function (records) {
      records.forEach(function (r) {
        r.addedNodes.forEach(function (n) {
          if (n.nodeType === 1 && n.matches && n.matches(ICON)) hide(n);
        });
      });
    }).observe(document.body, {childList: true, subtree: true});
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
