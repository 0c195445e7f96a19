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
