/*
 * Runs in <head>, before first paint (no defer): marks that JavaScript is on, and hides
 * the primary-association banner again if the user chose "Keep as is" for this active
 * organization earlier in this tab. Everything it does is optional: without it the page
 * is complete.
 */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  var org = root.getAttribute("data-active-org");
  if (!org) {
    return;
  }
  try {
    if (window.sessionStorage.getItem("casetracker:keep-org") === org) {
      root.classList.add("org-banner-kept");
    }
  } catch (e) {
    /* storage unavailable (private mode, policy): the banner simply stays */
  }
})();
