// desk pages (pages/desk.rs): small conveniences only; every form works without them.
(function () {
  'use strict';

  // A message rendered after a post (an error summary, a confirmation) takes the
  // focus, so keyboard and screen-reader users land on it.
  var focus = document.querySelector('[data-focus]');
  if (focus) {
    focus.focus();
  }

  // Typing what is wrong with a material ticks its row of the one-time notice.
  document.querySelectorAll('[data-notice-row]').forEach(function (row) {
    var box = row.querySelector('input[type=checkbox]');
    var text = row.querySelector('input[name^="problem_"]');
    if (box && text) {
      text.addEventListener('input', function () {
        if (text.value.trim() !== '') {
          box.checked = true;
        }
      });
    }
  });

  // The tracking number only matters for delivery by post.
  var method = document.querySelector('[data-delivery-method]');
  var tracking = document.querySelector('[data-tracking]');
  if (method && tracking) {
    var input = tracking.querySelector('input');
    var sync = function () {
      var post = method.value === 'post';
      tracking.hidden = !post;
      input.required = post;
    };
    method.addEventListener('change', sync);
    sync();
  }

  // A person uses an identity card, an organisation its credit code.
  var kind = document.querySelector('[data-applicant-kind]');
  var idType = document.getElementById('a-id_type');
  if (kind && idType) {
    kind.addEventListener('change', function () {
      if (kind.value === 'organisation') {
        idType.value = 'credit_code';
      } else if (idType.value === 'credit_code') {
        idType.value = 'id_card';
      }
    });
  }

  // Clicking a day of the calendar fills the date of the forms below.
  document.querySelectorAll('.cal-month td[data-date]').forEach(function (cell) {
    cell.addEventListener('click', function () {
      var date = cell.getAttribute('data-date');
      ['day-date', 'reset-date'].forEach(function (id) {
        var el = document.getElementById(id);
        if (el) {
          el.value = date;
        }
      });
      var first = document.getElementById('day-date');
      if (first) {
        first.focus();
      }
    });
  });

  document.querySelectorAll('[data-print]').forEach(function (b) {
    b.addEventListener('click', function () {
      window.print();
    });
  });

  // Open the action form a link points at (#act-extend from the to-do list).
  var hash = window.location.hash;
  if (hash && hash.indexOf('#act-') === 0) {
    var target = document.getElementById(hash.slice(1));
    if (target && target.tagName === 'DETAILS') {
      target.open = true;
      target.querySelector('summary').focus();
    }
  }
})();
