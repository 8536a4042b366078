// The queue's live pages, fed by the server-sent events of
// /api/v1/public/queue/stream (EventSource reconnects by itself):
// - the display (#display): shows each call big, keeps the recent list and
//   the waiting counts, plays a ding-dong made with the Web Audio API and reads
//   the call out with speechSynthesis (zh-CN) when the browser has them —
//   both optional, never blocking the page;
// - the phone's ticket page (#q-ticket): refreshes its state and the people
//   ahead on every event, and every 20 s in case the stream is down.
(function () {
  'use strict';

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // ---------------------------------------------------------------- sound
  var audio = null;
  function chime() {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return;
      audio = audio || new Ctx();
      if (audio.state === 'suspended') audio.resume();
      [[660, 0], [523, 0.45]].forEach(function (n) {
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.type = 'sine';
        osc.frequency.value = n[0];
        var t = audio.currentTime + n[1];
        gain.gain.setValueAtTime(0.0001, t);
        gain.gain.exponentialRampToValueAtTime(0.4, t + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.8);
        osc.connect(gain).connect(audio.destination);
        osc.start(t);
        osc.stop(t + 0.85);
      });
    } catch (e) { /* no sound is fine */ }
  }
  function speak(text) {
    try {
      if (!('speechSynthesis' in window)) return;
      var u = new SpeechSynthesisUtterance(text);
      u.lang = 'zh-CN';
      u.rate = 0.9;
      setTimeout(function () { window.speechSynthesis.speak(u); }, 900);
    } catch (e) { /* no voice is fine */ }
  }

  // -------------------------------------------------------------- display
  function display(root) {
    var latest = document.getElementById('d-latest');
    var recent = document.getElementById('d-recent');
    var waiting = document.getElementById('d-waiting');
    var status = document.getElementById('d-status');
    var sound = document.getElementById('d-sound');
    var calls = [];
    if (sound) sound.addEventListener('click', function () { chime(); sound.hidden = true; });

    function showLatest(c, flash) {
      latest.textContent = '';
      latest.appendChild(el('span', 'd-num', c.number));
      latest.appendChild(el('span', 'd-to', '请到'));
      latest.appendChild(el('span', 'd-win', c.window_number));
      latest.appendChild(el('span', 'd-to', '号窗口'));
      if (flash) {
        latest.classList.remove('flash');
        void latest.offsetWidth;
        latest.classList.add('flash');
      }
    }
    function showRecent() {
      if (!recent) return;
      recent.textContent = '';
      calls.slice(1, 9).forEach(function (c) {
        var li = el('li');
        li.appendChild(el('span', 'd-num', c.number));
        li.appendChild(document.createTextNode(' → ' + c.window_number + '号窗口'));
        recent.appendChild(li);
      });
    }
    function showWaiting(list) {
      if (!waiting) return;
      waiting.textContent = '';
      list.forEach(function (w) {
        var li = el('li');
        li.dataset.category = w.category_id;
        li.appendChild(el('span', '', w.code + ' ' + w.name));
        li.appendChild(el('strong', '', String(w.waiting)));
        waiting.appendChild(li);
      });
    }

    var source = new EventSource(root.dataset.stream);
    source.addEventListener('open', function () { status.textContent = ''; });
    source.addEventListener('error', function () { status.textContent = '连接中断，正在重新连接…'; });
    source.addEventListener('snapshot', function (e) {
      var s = JSON.parse(e.data);
      calls = s.calls;
      if (calls.length) showLatest(calls[0], false);
      showRecent();
      showWaiting(s.waiting);
    });
    source.addEventListener('call', function (e) {
      var c = JSON.parse(e.data);
      calls = [c].concat(calls.filter(function (x) { return x.ticket_id !== c.ticket_id; })).slice(0, 20);
      showLatest(c, true);
      showRecent();
      chime();
      speak(c.announcement + (c.recall_count > 0 ? '，' + c.announcement : ''));
    });
    source.addEventListener('waiting', function (e) { showWaiting(JSON.parse(e.data)); });
  }

  // ---------------------------------------------------------- phone ticket
  function ticket(root) {
    var id = root.dataset.ticket;
    var busy = false;
    function refresh() {
      if (busy) return;
      busy = true;
      fetch('/api/v1/public/queue/tickets/' + id, { headers: { Accept: 'application/json' } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (t) {
          if (!t) return;
          root.querySelector('[data-field=state_name]').textContent = t.state_name;
          root.querySelector('[data-field=ahead]').textContent =
            t.state === 'waiting' ? '，您前面还有 ' + t.people_ahead + ' 人' : '';
          root.querySelector('[data-field=window]').textContent =
            t.called_window_number && (t.state === 'called' || t.state === 'serving')
              ? '，请到 ' + t.called_window_number + ' 号窗口办理' : '';
          if (t.state === 'called' && navigator.vibrate) navigator.vibrate(400);
        })
        .catch(function () { /* try again later */ })
        .then(function () { busy = false; });
    }
    if (window.EventSource) {
      var source = new EventSource(root.dataset.stream);
      source.addEventListener('call', refresh);
      source.addEventListener('waiting', refresh);
    }
    setInterval(refresh, 20000);
  }

  var d = document.getElementById('display');
  if (d && window.EventSource) display(d);
  var t = document.getElementById('q-ticket');
  if (t) ticket(t);
})();
