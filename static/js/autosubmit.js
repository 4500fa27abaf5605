// A form marked data-autosubmit (the import form after "Share → Whisper") is sent at once.
// Without JavaScript the couple taps its button; nothing else depends on this.
(function () {
  var form = document.querySelector("form[data-autosubmit]");
  if (!form) return;
  var status = form.querySelector("[data-autosubmit-status]");
  if (status) status.hidden = false;
  var button = form.querySelector("[type=submit]");
  if (button) button.disabled = true;
  if (form.requestSubmit) form.requestSubmit(); else form.submit();
})();
