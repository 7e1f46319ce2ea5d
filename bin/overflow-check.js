// Overflowed or clipped text on the current page, as a list of problems.
//
// One definition, read by bin/screenshots and by tests/i18n/test_layout_in_every_language.py
// and run in the page with Playwright: page.evaluate(source, {openDetails: true}).
// A problem is
//   - the document scrolling sideways (document.documentElement.scrollWidth > innerWidth);
//   - a visible element whose content is wider than its box (scrollWidth > clientWidth + 1)
//     while it does not scroll (computed overflow-x is not auto/scroll): its text spills
//     out or is cut off;
//   - a visible element that cuts its content off vertically (overflow-y hidden/clip and
//     scrollHeight > clientHeight + 1);
//   - a closed <select> too narrow for the option it shows (its text is cut off).
// Left out: text fields (input, textarea: they scroll their own content), elements not
// shown (display:none, visibility:hidden, inside a closed <details>, .visually-hidden),
// and everything inside a container that scrolls (a .table-wrap scrolls its table).
// With {openDetails: true} the page is checked as shown and again with every <details>
// open (a filter's choices, the withdraw form), then put back as it was.
// Each item: {note, kind, selector, text, scrollWidth, clientWidth}; note is false for a
// problem, true for what is allowed and only listed: a box that scrolls sideways on
// purpose (a .table-wrap narrower than its table) and text cut off on purpose with
// text-overflow: ellipsis (the organization switch, the user's name in the header).
(options) => {
  const SLACK = 1;

  const name = (el) => {
    let part = el.tagName.toLowerCase();
    if (el.id) return `${part}#${el.id}`;
    const classes = [...el.classList].filter((c) => !c.startsWith("htmx-")).slice(0, 2);
    if (classes.length) part += "." + classes.join(".");
    return part;
  };
  const selector = (el) => {
    const parts = [];
    for (let node = el; node && node !== document.body && parts.length < 4; node = node.parentElement) {
      parts.unshift(name(node));
      if (node.id) break;
    }
    return parts.join(" > ");
  };
  const text = (el) => (el.innerText || el.value || "").replace(/\s+/g, " ").trim().slice(0, 60);
  const scrolls = (value) => value === "auto" || value === "scroll";

  const check = () => {
    const problems = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > window.innerWidth) {
      // Name the deepest elements that stick out on the right.
      const culprits = [];
      for (const el of document.body.querySelectorAll("*")) {
        const rect = el.getBoundingClientRect();
        if (rect.width && rect.right > window.innerWidth + SLACK && !el.closest(".visually-hidden, .skip-link")) {
          culprits.push(el);
        }
      }
      const deepest = culprits.filter((el) => !culprits.some((other) => other !== el && el.contains(other)));
      problems.push({
        note: false,
        kind: "page scrolls sideways",
        selector: "html",
        text:
          deepest
            .slice(0, 3)
            .map((el) => `${selector(el)} "${text(el)}"`)
            .join("; ") || "text sticking out of the boxes listed below",
        scrollWidth: doc.scrollWidth,
        clientWidth: window.innerWidth,
      });
    }

    const found = [];
    const notes = [];
    for (const el of document.body.querySelectorAll("*")) {
      if (el.matches("input, textarea, script, style, template, option")) continue;
      if (el.closest(".visually-hidden")) continue;
      // Not rendered: display:none, visibility:hidden, or inside a closed <details>.
      if (!el.checkVisibility({ visibilityProperty: true })) continue;
      // Inside a box that scrolls, content may be wider than the screen on purpose.
      let scrolled = false;
      for (let node = el.parentElement; node && node !== document.body; node = node.parentElement) {
        if (scrolls(getComputedStyle(node).overflowX)) {
          scrolled = true;
          break;
        }
      }
      if (scrolled) continue;
      const style = getComputedStyle(el);
      if (scrolls(style.overflowX) && el.clientWidth > 0 && el.scrollWidth > el.clientWidth + SLACK) {
        notes.push({
          note: true,
          kind: "scrolls sideways in its own box",
          selector: selector(el),
          text: text(el),
          scrollWidth: el.scrollWidth,
          clientWidth: el.clientWidth,
        });
        continue;
      }
      const ellipsis = style.textOverflow === "ellipsis";
      if (el.matches("select:not([multiple])") && el.selectedIndex >= 0) {
        // A closed select shows its chosen option on one line, cut off when it is wider
        // than the box (scrollWidth does not tell). Ask Chromium: the same select with
        // only that option, at its natural width.
        const probe = el.cloneNode(false);
        probe.removeAttribute("id");
        probe.removeAttribute("name");
        probe.append(new Option(el.options[el.selectedIndex].text));
        Object.assign(probe.style, { position: "absolute", visibility: "hidden", width: "auto" });
        Object.assign(probe.style, { minWidth: "0", maxWidth: "none", flex: "none" });
        el.after(probe);
        const needed = probe.getBoundingClientRect().width;
        probe.remove();
        const width = el.getBoundingClientRect().width;
        if (needed > width + SLACK) {
          (ellipsis ? notes : found).push({
            el,
            note: ellipsis,
            kind: ellipsis ? "select ends its chosen option with an ellipsis" : "select cuts its chosen option",
            selector: selector(el),
            text: el.options[el.selectedIndex].text.trim().slice(0, 60),
            scrollWidth: Math.round(needed),
            clientWidth: Math.round(width),
          });
        }
        continue;
      }
      if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + SLACK) {
        const clipped = style.overflowX !== "visible";
        (clipped && ellipsis ? notes : found).push({
          el,
          note: clipped && ellipsis,
          kind: !clipped ? "text overflows its box" : ellipsis ? "text ends with an ellipsis" : "text is clipped",
          selector: selector(el),
          text: text(el),
          scrollWidth: el.scrollWidth,
          clientWidth: el.clientWidth,
        });
      } else if (
        (style.overflowY === "hidden" || style.overflowY === "clip") &&
        el.clientHeight > 0 &&
        el.scrollHeight > el.clientHeight + SLACK
      ) {
        found.push({
          el,
          note: false,
          kind: "text is clipped vertically",
          selector: selector(el),
          text: text(el),
          scrollWidth: el.scrollHeight,
          clientWidth: el.clientHeight,
        });
      }
    }
    // An overflowing element makes each of its ancestors overflow too: name the deepest.
    for (const { el, ...problem } of found) {
      if (!found.some((other) => other.el !== el && el.contains(other.el))) problems.push(problem);
    }
    return problems.concat(notes.map(({ el, ...note }) => note));
  };

  const problems = check();
  if (options && options.openDetails) {
    const closed = [...document.querySelectorAll("details:not([open])")];
    if (closed.length) {
      closed.forEach((details) => (details.open = true));
      const seen = new Set(problems.map((p) => `${p.kind}|${p.selector}|${p.text}`));
      for (const problem of check()) {
        if (!seen.has(`${problem.kind}|${problem.selector}|${problem.text}`)) {
          problems.push({ ...problem, kind: `${problem.kind} (<details> open)` });
        }
      }
      closed.forEach((details) => (details.open = false));
    }
  }
  return problems;
}
