// The leaders' big screen (pages/dashboard.rs): every `data-refresh` seconds
// it fetches the page again and swaps in the new figures, so the screen never
// goes blank. When the server cannot be reached, or the session has ended, it
// keeps the last figures, says so, and tries again at the next tick.
(function () {
  'use strict';
  var board = document.getElementById('board');
  if (!board || !window.fetch || !window.DOMParser) {
    return;
  }
  var every = (Number(board.getAttribute('data-refresh')) || 60) * 1000;

  function stale(why) {
    var status = document.getElementById('bs-status');
    if (status) {
      status.textContent = '数据未能更新（' + why + '），显示的是上次数据，稍后自动重试';
      status.hidden = false;
    }
  }

  function refresh() {
    fetch(window.location.pathname, { credentials: 'same-origin', cache: 'no-store' })
      .then(function (res) {
        if (new URL(res.url).pathname !== window.location.pathname) {
          throw new Error('登录已过期，请重新登录');
        }
        if (!res.ok) {
          throw new Error('服务器返回' + res.status);
        }
        return res.text();
      })
      .then(function (html) {
        var next = new DOMParser().parseFromString(html, 'text/html').getElementById('board');
        if (!next) {
          throw new Error('页面内容不完整');
        }
        board.replaceWith(next);
        board = next;
      })
      .catch(function (e) {
        stale(e && e.message && e.message !== 'Failed to fetch' ? e.message : '网络中断');
      });
  }

  window.setInterval(refresh, every);
})();
