// Keeps a half-filled self-report or survey form in this browser (localStorage) so that a reload, a lost
// connection or a phone call never loses answers; cleared once the answers are sent. Nothing
// leaves the device until the client presses the button.
(function () {
  'use strict';
  var form = document.querySelector('form.selfreport[data-draft-key]');
  if (!form) {
    // The thank-you page: the draft of a sent form is no longer needed.
    try {
      var sent = sessionStorage.getItem('evident-sent-draft');
      if (sent) { localStorage.removeItem(sent); sessionStorage.removeItem('evident-sent-draft'); }
    } catch (e) { /* storage may be unavailable; nothing to clean */ }
    return;
  }
  var key = 'evident-draft-' + form.getAttribute('data-draft-key');
  var saved = {};
  try { saved = JSON.parse(localStorage.getItem(key) || '{}') || {}; } catch (e) { saved = {}; }
  Object.keys(saved).forEach(function (name) {
    // Free text (surveys): restored only into an empty box, never over what the page brought.
    var boxes = form.querySelectorAll('textarea');
    for (var j = 0; j < boxes.length; j++) {
      if (boxes[j].name === name && !boxes[j].value) { boxes[j].value = saved[name]; }
    }
    var inputs = form.querySelectorAll('input[type=radio]');
    for (var i = 0; i < inputs.length; i++) {
      if (inputs[i].name === name && inputs[i].value === saved[name] && !form.querySelector('input[name="' + name.replace(/"/g, '') + '"]:checked')) {
        inputs[i].checked = true;
      }
    }
  });
  form.addEventListener('change', function (event) {
    var input = event.target;
    if (input && input.type === 'radio') {
      saved[input.name] = input.value;
      try { localStorage.setItem(key, JSON.stringify(saved)); } catch (e) { /* full or disabled */ }
    }
  });
  form.addEventListener('input', function (event) {
    var box = event.target;
    if (box && box.tagName === 'TEXTAREA') {
      saved[box.name] = box.value;
      try { localStorage.setItem(key, JSON.stringify(saved)); } catch (e) { /* full or disabled */ }
    }
  });
  form.addEventListener('submit', function () {
    try { sessionStorage.setItem('evident-sent-draft', key); } catch (e) { /* ignore */ }
  });
})();
