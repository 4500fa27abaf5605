/* Sharing a registry: the copy button next to its address, and the share card's print button.
 *
 * Progressive enhancement: without JavaScript the address is a plain
 * read-only field to select and copy, and the browser's Print command prints
 * the card. With it, the buttons (hidden in the HTML) appear and do that.
 */
(function () {
  "use strict";

  document.querySelectorAll("[data-copy]").forEach(function (button) {
    const field = document.getElementById(button.dataset.copy);
    if (!field) {
      return;
    }
    const status = button.closest(".field") && button.closest(".field").querySelector("[role=status]");
    button.hidden = false;
    button.addEventListener("click", function () {
      field.select();
      const done = function () {
        if (status) {
          status.textContent = button.dataset.copied;
        }
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () {
          document.execCommand("copy");
          done();
        });
      } else {
        document.execCommand("copy");
        done();
      }
    });
  });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
