// brevgen web app: list rows (add/remove and renumber), reloads when provision/decision/date
// change, and field problems from the live check marked at their fields. No outside addresses.
(function () {
  "use strict";

  function renumber(list) {
    var rows = list.querySelectorAll(":scope > [data-row]");
    rows.forEach(function (row, index) {
      row.querySelectorAll("[name], [id], [for], [aria-describedby]").forEach(function (el) {
        ["name", "id", "for", "aria-describedby"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value) {
            el.setAttribute(attr, value.replace(/\[\d+\]/, "[" + index + "]").replace(/^(f-[a-z-]*?-)\d+/, "$1" + index));
          }
        });
      });
      row.querySelectorAll("legend, label, button[data-remove]").forEach(function (el) {
        el.childNodes.forEach(function (node) {
          if (node.nodeType === 3) { node.textContent = node.textContent.replace(/\d+(?=\D*$)/, String(index + 1)); }
        });
      });
    });
  }

  function changed(form) {
    form.dispatchEvent(new Event("change", { bubbles: true }));
  }

  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add]");
    if (add) {
      var group = add.getAttribute("data-add");
      var list = document.querySelector('[data-list="' + group + '"]');
      var template = document.querySelector('template[data-template="' + group + '"]');
      var row = template.content.firstElementChild.cloneNode(true);
      list.appendChild(row);
      renumber(list);
      var first = row.querySelector("input:not([type=hidden]), textarea, select");
      if (first) { first.focus(); }
      return;
    }
    var remove = event.target.closest("[data-remove]");
    if (remove) {
      var item = remove.closest("[data-row]");
      var parent = item.parentElement;
      var form = item.closest("form");
      item.remove();
      renumber(parent);
      parent.focus();
      if (form) { changed(form); }
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-reload], input[name=dated]")) {
      // Other phrases and references fit: save the whole form and load the page again.
      event.stopPropagation();
      var form = event.target.form;
      form.submit();
    }
  }, true);

  function markFields() {
    var holder = document.getElementById("field-problems");
    if (!holder) { return; }
    var problems = JSON.parse(holder.getAttribute("data-problems") || "[]");
    document.querySelectorAll(".field-error").forEach(function (el) { el.remove(); });
    document.querySelectorAll("[aria-invalid]").forEach(function (el) {
      el.removeAttribute("aria-invalid");
      var described = (el.getAttribute("aria-describedby") || "").split(" ").filter(function (id) { return id && !/-fejl$/.test(id); });
      if (described.length) { el.setAttribute("aria-describedby", described.join(" ")); } else { el.removeAttribute("aria-describedby"); }
    });
    problems.forEach(function (problem) {
      var control = document.getElementById(problem[0]);
      if (!control || !control.matches("input, select, textarea")) { return; }
      var message = document.createElement("span");
      message.className = "field-error";
      message.id = problem[0] + "-fejl";
      message.textContent = problem[1];
      control.insertAdjacentElement("afterend", message);
      control.setAttribute("aria-invalid", "true");
      var described = control.getAttribute("aria-describedby");
      control.setAttribute("aria-describedby", (described ? described + " " : "") + message.id);
    });
  }

  // A failed save (server error, lost connection) must not leave an old preview that looks
  // current: say so above it, in Danish, until the next save succeeds.
  function saveProblem(text) {
    var preview = document.getElementById("preview");
    if (!preview) { return; }
    var note = document.getElementById("save-problem");
    if (!text) { if (note) { note.remove(); } return; }
    if (!note) {
      note = document.createElement("p");
      note.id = "save-problem";
      note.className = "save-problem";
      note.setAttribute("role", "alert");
      preview.insertAdjacentElement("beforebegin", note);
    }
    note.textContent = text;
  }
  document.addEventListener("htmx:responseError", function () {
    saveProblem("Ændringen kunne ikke gemmes, og forhåndsvisningen er ikke opdateret. Prøv igen om lidt; kontakt IT, hvis det bliver ved.");
  });
  document.addEventListener("htmx:sendError", function () {
    saveProblem("Der er ingen forbindelse til brevgen, så ændringen er ikke gemt. Prøv igen om lidt.");
  });
  document.addEventListener("htmx:afterSwap", function () { saveProblem(""); });

  document.addEventListener("DOMContentLoaded", markFields);
  document.addEventListener("htmx:afterSwap", markFields);
})();
