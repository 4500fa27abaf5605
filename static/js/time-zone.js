// A new registry's time zone: the browser's, when it is one the chooser offers.
// Without JavaScript the site's default stays selected, and the couple may pick another.
(function () {
  "use strict";
  var select = document.querySelector("select[data-browser-zone]");
  if (!select || !window.Intl || !Intl.DateTimeFormat) return;
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone) return;
  for (var i = 0; i < select.options.length; i++) {
    if (select.options[i].value === zone) {
      select.value = zone;
      return;
    }
  }
})();
