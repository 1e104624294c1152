(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) { return; }
  var controlRows = Array.prototype.slice.call(document.querySelectorAll("tr.control-row"));
  var findingRows = Array.prototype.slice.call(document.querySelectorAll("tr.finding-row"));
  var groups = Array.prototype.slice.call(document.querySelectorAll("section.finding-group"));
  var frameworkViews = Array.prototype.slice.call(document.querySelectorAll("section.framework-view"));
  var counter = document.getElementById("filter-count");

  function words(el, name) {
    var value = el.getAttribute("data-" + name) || "";
    return value ? value.split(" ") : [];
  }

  function controlVisible(row, f) {
    if (f.layer && words(row, "layers").indexOf(f.layer) < 0) { return false; }
    if (f.status) {
      var status = f.layer ? row.getAttribute("data-status-" + f.layer) : row.getAttribute("data-status");
      if (status !== f.status) { return false; }
    }
    if (f.severity && row.getAttribute("data-severity") !== f.severity) { return false; }
    if (f.framework && words(row, "frameworks").indexOf(f.framework) < 0) { return false; }
    if (f.account && words(row, "accounts").indexOf(f.account) < 0) { return false; }
    return true;
  }

  function findingVisible(row, f) {
    if (f.layer && row.getAttribute("data-layer") !== f.layer) { return false; }
    if (f.status && row.getAttribute("data-status") !== f.status) { return false; }
    if (f.severity && row.getAttribute("data-severity") !== f.severity) { return false; }
    if (f.framework && words(row, "frameworks").indexOf(f.framework) < 0) { return false; }
    if (f.account && row.getAttribute("data-account") !== f.account) { return false; }
    return true;
  }

  function apply() {
    var f = {
      status: form.elements.status.value, layer: form.elements.layer.value,
      severity: form.elements.severity.value, framework: form.elements.framework.value,
      account: form.elements.account ? form.elements.account.value : ""
    };
    var shownControls = 0, shownFindings = 0;
    controlRows.forEach(function (row) {
      var show = controlVisible(row, f);
      row.classList.toggle("hidden", !show);
      if (show) { shownControls += 1; }
    });
    findingRows.forEach(function (row) {
      var show = findingVisible(row, f);
      row.classList.toggle("hidden", !show);
      if (show) { shownFindings += 1; }
    });
    groups.forEach(function (group) {
      group.classList.toggle("hidden", !group.querySelector("tr.finding-row:not(.hidden)"));
    });
    frameworkViews.forEach(function (view) {
      view.classList.toggle("hidden", Boolean(f.framework) && view.getAttribute("data-framework") !== f.framework);
    });
    counter.textContent = shownControls + " controls, " + shownFindings + " findings shown";
  }

  form.addEventListener("change", apply);
  form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) { d.open = true; });
  });
  apply();
})();
