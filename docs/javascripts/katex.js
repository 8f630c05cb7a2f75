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

  // Regions that scroll sideways on a phone (wide formulas, tables, lab
  // code) must be reachable with the keyboard to be scrolled.
  for (const el of body.querySelectorAll(
    ".arithmatex, .md-typeset__scrollwrap, .highlight-ipynb",
  )) {
    if (el.scrollWidth > el.clientWidth && !el.hasAttribute("tabindex")) {
      el.tabIndex = 0;
    }
  }

  // Material's search overlay is a dialog without a name.
  const search = document.querySelector('.md-search[role="dialog"]');
  if (search && !search.hasAttribute("aria-label")) {
    search.setAttribute("aria-label", "Search");
  }
});
