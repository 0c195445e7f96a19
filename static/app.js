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
