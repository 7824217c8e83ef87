/* 12345 intake helpers (progressive enhancement: every form works without this file).
   - marks <html class="js"> so the routing sections show only for the chosen route;
   - a category's default department is put in the lead select until the agent picks one;
   - "use this answer" copies a knowledge-base answer into the answer box. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("select[data-default-target]")) {
      var option = target.options[target.selectedIndex];
      var lead = document.getElementById(target.getAttribute("data-default-target"));
      if (lead && option && !lead.dataset.touched) {
        lead.value = option.getAttribute("data-department") || "";
      }
    }
    if (target.matches("select[data-touch]")) {
      target.dataset.touched = "1";
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-use-answer]");
    if (!button) {
      return;
    }
    event.preventDefault();
    var box = document.getElementById(button.getAttribute("data-use-answer"));
    if (box) {
      box.value = button.getAttribute("data-answer") || "";
      var entry = document.getElementById(box.getAttribute("data-entry-field") || "");
      if (entry) {
        entry.value = button.getAttribute("data-entry") || "";
      }
      var radio = document.getElementById(box.getAttribute("data-route") || "");
      if (radio) {
        radio.checked = true;
      }
      box.focus();
    }
  });
})();
