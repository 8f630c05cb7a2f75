// Regions that scroll sideways (wide formulas or tables on a phone, lab
// code and outputs) must be reachable with the keyboard to be scrolled;
// regions that fit get no extra tab stop. Inline math never scrolls, so
// only display math is looked at. All sizes are read first, then the
// attributes written, so the page is laid out once, not once per region.
const SCROLLERS =
  "div.arithmatex, .md-typeset__scrollwrap, .highlight-ipynb pre, " +
  ".jp-RenderedText pre";

function markScrollable(root) {
  const regions = [...root.querySelectorAll(SCROLLERS)];
  const wide = regions.map((el) => el.scrollWidth > el.clientWidth);
  regions.forEach((el, i) => {
    if (wide[i]) {
      if (!el.hasAttribute("tabindex")) {
        el.tabIndex = 0;
        el.dataset.scrollFocus = "";
      }
    } else if ("scrollFocus" in el.dataset) {
      el.removeAttribute("tabindex");
      delete el.dataset.scrollFocus;
    }
  });
}

let resizeTimer;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => markScrollable(document.body), 200);
});

// Runs on the first load and after every instant navigation (Material's
// document$ observable).
document$.subscribe(({ body }) => {
  markScrollable(body);
  // KaTeX's fonts (math rendered at build time) change the widths once
  // they have loaded.
  document.fonts.ready.then(() => markScrollable(body));

  // Material's search overlay is a dialog without a name.
  const search = document.querySelector('.md-search[role="dialog"]');
  if (search && !search.hasAttribute("aria-label")) {
    search.setAttribute("aria-label", "Search");
  }
});
