// Regions that scroll sideways (wide formulas or tables on a phone, lab
// code) must be reachable with the keyboard to be scrolled; regions that
// fit get no extra tab stop.
const SCROLLERS = ".arithmatex, .md-typeset__scrollwrap, .highlight-ipynb";

function markScrollable(root) {
  for (const el of root.querySelectorAll(SCROLLERS)) {
    if (el.scrollWidth > el.clientWidth) {
      if (!el.hasAttribute("tabindex")) {
        el.tabIndex = 0;
        el.dataset.scrollFocus = "";
      }
    } else if ("scrollFocus" in el.dataset) {
      el.removeAttribute("tabindex");
      delete el.dataset.scrollFocus;
    }
  }
}

let resizeTimer;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => markScrollable(document.body), 200);
});

// Runs on the first load and after every instant navigation (Material's
// document$ observable).
document$.subscribe(({ body }) => {
  // Render math with the site's own copy of KaTeX.
  renderMathInElement(body, {
    delimiters: [
      { left: "$$", right: "$$", display: true },
      { left: "$", right: "$", display: false },
      { left: "\\(", right: "\\)", display: false },
      { left: "\\[", right: "\\]", display: true },
    ],
    throwOnError: false,
  });

  markScrollable(body);
  // KaTeX's fonts change the widths once they have loaded.
  document.fonts.ready.then(() => markScrollable(body));

  // Material's search overlay is a dialog without a name.
  const search = document.querySelector('.md-search[role="dialog"]');
  if (search && !search.hasAttribute("aria-label")) {
    search.setAttribute("aria-label", "Search");
  }
});
