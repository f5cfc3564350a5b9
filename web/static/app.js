// Progressive enhancement only: every page works without this file.
// Calendar upload: reading a chosen .yaml file into the text area (the form itself posts text).
(function () {
  'use strict';
  document.querySelectorAll('[data-yaml-upload]').forEach(function (form) {
    var field = form.querySelector('[data-file-field]');
    var input = form.querySelector('[data-file-input]');
    var text = form.querySelector('textarea[name="yaml"]');
    var name = form.querySelector('[data-file-name]');
    if (!field || !input || !text || !window.FileReader) return;
    field.hidden = false;
    input.addEventListener('change', function () {
      var file = input.files && input.files[0];
      if (!file) return;
      var reader = new FileReader();
      reader.onload = function () {
        text.value = String(reader.result);
        if (name) name.value = file.name;
      };
      reader.readAsText(file);
    });
  });
})();
