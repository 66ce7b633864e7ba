/* Findings filter: rule, division, severity, status and text. Without JS every row shows. */
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) { return; }
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.finding"));
  var cards = Array.prototype.slice.call(document.querySelectorAll("article.rule"));
  var counter = document.getElementById("filter-count");
  var texts = rows.map(function (tr) { return tr.textContent.toLowerCase(); });
  form.hidden = false;

  function apply() {
    var f = { rule: form.elements.rule.value, division: form.elements.division.value, severity: form.elements.severity.value,
              status: form.elements.status.value, q: form.elements.q.value.trim().toLowerCase() };
    var active = !!(f.rule || f.division || f.severity || f.status || f.q);
    var shown = 0;
    var perCard = {};
    rows.forEach(function (tr, i) {
      var d = tr.dataset;
      var ok = (!f.rule || d.rule === f.rule) && (!f.division || d.division === f.division) &&
               (!f.severity || d.severity === f.severity) && (!f.status || d.status === f.status) &&
               (!f.q || texts[i].indexOf(f.q) !== -1);
      tr.classList.toggle("is-hidden", !ok);
      if (ok) { shown += 1; perCard[d.rule] = (perCard[d.rule] || 0) + 1; }
    });
    cards.forEach(function (card) {
      card.classList.toggle("is-hidden", active && !perCard[card.dataset.rule]);
    });
    counter.textContent = counter.dataset.template
      .replace("{shown}", String(shown)).replace("{total}", counter.dataset.total);
  }

  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
  apply();
}());
