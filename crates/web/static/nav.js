// The top navigation's menus (base.html, pages/nav.rs). The menus are
// <details> disclosures and work without this script (Enter or Space opens
// one); it adds what a disclosure does not do by itself: Escape closes the
// open menu and returns focus to its label, only one menu is open at a time,
// a click elsewhere or moving focus out of a menu closes it, and on a narrow
// screen the whole navigation folds behind a 菜单 button.
(function () {
  'use strict';
  var header = document.querySelector('header.site');
  var nav = document.getElementById('site-nav');
  if (!header || !nav) return;
  var toggle = header.querySelector('.nav-toggle');
  var menus = Array.prototype.slice.call(nav.querySelectorAll('.nav-menu > details'));

  function closeMenus(except) {
    menus.forEach(function (d) {
      if (d !== except) d.open = false;
    });
  }

  function setExpanded(open) {
    header.classList.toggle('nav-open', open);
    toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
  }

  if (toggle) {
    header.classList.add('nav-js');
    toggle.hidden = false;
    toggle.addEventListener('click', function () {
      setExpanded(toggle.getAttribute('aria-expanded') !== 'true');
    });
  }

  menus.forEach(function (d) {
    d.addEventListener('toggle', function () {
      if (d.open) closeMenus(d);
    });
    d.addEventListener('focusout', function (e) {
      // Tabbing past the last entry closes the menu; a click inside keeps it.
      if (d.open && e.relatedTarget && !d.contains(e.relatedTarget)) d.open = false;
    });
  });

  document.addEventListener('keydown', function (e) {
    if (e.key !== 'Escape' && e.key !== 'Esc') return;
    var open = menus.filter(function (d) {
      return d.open;
    })[0];
    if (open) {
      open.open = false;
      open.querySelector('summary').focus();
      e.preventDefault();
    } else if (toggle && header.classList.contains('nav-open') && header.contains(document.activeElement)) {
      setExpanded(false);
      toggle.focus();
      e.preventDefault();
    }
  });

  document.addEventListener('click', function (e) {
    if (!nav.contains(e.target)) closeMenus(null);
    if (toggle && !header.contains(e.target)) setExpanded(false);
  });
})();
