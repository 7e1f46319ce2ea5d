/*
 * Case Tracker — small progressive enhancements. Every essential action works without
 * this file; it only adds conveniences. No framework besides htmx.
 */
(function () {
  "use strict";

  var KEEP_ORG_KEY = "casetracker:keep-org";

  function storage() {
    try {
      return window.sessionStorage;
    } catch (e) {
      return null;
    }
  }

  /* "Keep as is" on the primary-association banner: hide it for this tab. The button is
     rendered hidden and only shown here, so without JavaScript nobody sees a button that
     does nothing. */
  function setUpDismissals(root) {
    var buttons = root.querySelectorAll("[data-dismiss]");
    Array.prototype.forEach.call(buttons, function (button) {
      if (button.dataset.ready) {
        return;
      }
      button.dataset.ready = "1";
      button.hidden = false;
      button.addEventListener("click", function () {
        var target = button.closest("[data-dismissible]");
        if (!target) {
          return;
        }
        var org = target.getAttribute("data-org");
        var store = storage();
        if (org && store) {
          store.setItem(KEEP_ORG_KEY, org);
        }
        target.hidden = true;
        var main = document.getElementById("main");
        if (main) {
          main.focus();
        }
      });
    });
  }

  /* Switching organization deliberately forgets an earlier "Keep as is". */
  function forgetKeepOnSwitch(event) {
    var form = event.target;
    if (form && form.matches && form.matches("form[data-org-switch]")) {
      var store = storage();
      if (store) {
        store.removeItem(KEEP_ORG_KEY);
      }
    }
  }

  /* An htmx request that fails without a page to show: say so in the live region. */
  function announceError(event) {
    var region = document.getElementById("messages");
    var text = document.body.getAttribute("data-msg-request-failed");
    if (!region || !text) {
      return;
    }
    var status = event.detail && event.detail.xhr ? event.detail.xhr.status : 0;
    if (status === 0) {
      text = document.body.getAttribute("data-msg-offline") || text;
    }
    var list = document.createElement("ul");
    list.className = "messages";
    var item = document.createElement("li");
    item.className = "flash flash-error";
    item.textContent = text;
    list.appendChild(item);
    region.replaceChildren(list);
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpDismissals(document);
  });
  document.addEventListener("submit", forgetKeepOnSwitch, true);
  document.addEventListener("htmx:load", function (event) {
    setUpDismissals(event.target);
  });
  document.addEventListener("htmx:responseError", announceError);
  document.addEventListener("htmx:sendError", announceError);
})();
