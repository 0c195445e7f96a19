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
