// Progressive enhancement only: every page works without this file.
// "Copier" buttons next to private links (consultant pages and the wizard's link box).
document.querySelectorAll("[data-copy]").forEach(function (element) {
  if (!navigator.clipboard) return;
  var button = document.createElement("button");
  button.type = "button";
  button.className = "button button-small copy-button";
  button.textContent = "Copier le lien";
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(element.getAttribute("data-copy")).then(function () {
      button.textContent = "Lien copié";
    });
  });
  element.insertAdjacentElement("afterend", button);
});

// "Partager" next to the private link where the browser can share (Web Share API).
document.querySelectorAll("[data-share]").forEach(function (element) {
  if (!navigator.share) return;
  var button = document.createElement("button");
  button.type = "button";
  button.className = "button button-small share-button";
  button.textContent = "Partager";
  button.addEventListener("click", function () {
    navigator.share({ title: "Mon diagnostic", url: element.getAttribute("data-share") }).catch(function () {});
  });
  var copy = element.nextElementSibling;
  var after = copy && copy.classList.contains("copy-button") ? copy : element;
  after.insertAdjacentElement("afterend", button);
});

// On a page with errors, focus the error summary so it is read first (GOV.UK pattern).
(function () {
  var summary = document.querySelector(".error-summary");
  if (summary && document.activeElement !== summary) summary.focus();
})();

// A question with suggestions (data-suggest) ticks the options its source answer suggests,
// until the visitor ticks or unticks one of them. The server does the same on a later visit.
document.querySelectorAll("fieldset[data-suggest]").forEach(function (fieldset) {
  var suggestions = JSON.parse(fieldset.getAttribute("data-suggest"));
  var boxes = fieldset.querySelectorAll("input[type=checkbox]");
  var touched = Array.prototype.some.call(boxes, function (box) { return box.checked; });
  boxes.forEach(function (box) {
    box.addEventListener("change", function () { touched = true; });
  });
  var sources = document.querySelectorAll(
    "input[name='" + fieldset.getAttribute("data-suggest-from") + "']"
  );
  sources.forEach(function (source) {
    source.addEventListener("change", function () {
      if (touched || !source.checked) return;
      var wanted = suggestions[source.value] || [];
      boxes.forEach(function (box) { box.checked = wanted.indexOf(box.value) !== -1; });
    });
  });
});

// Folded result sections open by themselves on wide screens; on phones they stay folded.
if (window.matchMedia && window.matchMedia("(min-width: 48rem)").matches) {
  document.querySelectorAll("details[data-open-wide]").forEach(function (details) {
    details.open = true;
  });
}
