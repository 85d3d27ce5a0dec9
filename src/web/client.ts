/**
 * The dashboard's script, served at /assets/app.js: plain JavaScript (no build step), progressive over
 * server-rendered pages. It calls the same API as everyone (the session cookie plus the CSRF header),
 * follows the daemon's and a run's live events over SSE, draws the live chart, and drives the editor.
 * Written without template literals, so it can live in this string.
 */
export const APP_JS = String.raw`
(function () {
  'use strict';
  var body = document.body;
  var page = body.dataset.page || '';
  var canOperate = body.dataset.role === 'operator' || body.dataset.role === 'admin';

  function api(method, path, payload, asYaml) {
    var headers = { 'X-Faultline-CSRF': '1', 'Accept': 'application/json' };
    var init = { method: method, headers: headers, credentials: 'same-origin' };
    if (payload !== undefined) {
      headers['Content-Type'] = asYaml ? 'application/yaml' : 'application/json';
      init.body = asYaml ? payload : JSON.stringify(payload);
    }
    return fetch(path, init).then(function (res) {
      if (res.status === 204) return { ok: true, status: 204, body: null };
      return res.json().then(
        function (b) { return { ok: res.ok, status: res.status, body: b }; },
        function () { return { ok: res.ok, status: res.status, body: null }; }
      );
    });
  }
  function errorText(r) {
    if (r.body && r.body.error) return r.body.error.message + (r.body.error.details ? ': ' + r.body.error.details.map(function (d) { return d.message; }).join('; ') : '');
    return 'HTTP ' + r.status;
  }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') node.textContent = attrs[k];
      else if (k === 'cls') node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return node;
  }
  function svg(tag, attrs) {
    var node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    Object.keys(attrs).forEach(function (k) { if (k === 'text') node.textContent = attrs[k]; else node.setAttribute(k, attrs[k]); });
    return node;
  }
  function notice(text, bad) {
    var box = document.getElementById('flash');
    if (!box) return alert(text);
    box.textContent = text;
    box.className = bad ? 'error-box' : 'notice';
    box.hidden = false;
  }
  function badge(text) { return el('span', { cls: 'badge ' + text, text: text }); }
  function ago(iso) {
    var s = Math.round((Date.now() - Date.parse(iso)) / 1000);
    if (s < 60) return s + 's ago';
    if (s < 3600) return Math.round(s / 60) + 'm ago';
    if (s < 86400) return Math.round(s / 3600) + 'h ago';
    return Math.round(s / 86400) + 'd ago';
  }
  function seconds(ms) { return ms === null || ms === undefined ? '-' : (ms < 1000 ? Math.round(ms) + 'ms' : (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + 's'); }
  var reloading = null;
  function reloadSoon(ms) { if (!reloading) reloading = setTimeout(function () { location.reload(); }, ms || 300); }

  // ---------- halt switch (every page) ----------
  var haltButton = document.getElementById('halt-button');
  var haltDialog = document.getElementById('halt-dialog');
  if (haltButton && haltDialog) {
    haltButton.addEventListener('click', function () { haltDialog.showModal(); document.getElementById('halt-reason').focus(); });
    document.getElementById('halt-cancel').addEventListener('click', function () { haltDialog.close(); });
    document.getElementById('halt-confirm').addEventListener('click', function (event) {
      event.preventDefault();
      var reason = document.getElementById('halt-reason').value.trim();
      if (!reason) { document.getElementById('halt-reason').focus(); return; }
      api('POST', '/api/v1/halt', { reason: reason }).then(function (r) {
        haltDialog.close();
        if (!r.ok) return notice('Halt failed: ' + errorText(r), true);
        location.reload();
      });
    });
  }
  var unhaltButton = document.getElementById('unhalt-button');
  if (unhaltButton) unhaltButton.addEventListener('click', function () {
    if (!confirm('Lift the halt switch? Runs and schedules may start again.')) return;
    api('DELETE', '/api/v1/halt').then(function (r) { if (!r.ok) return notice('Unhalt failed: ' + errorText(r), true); location.reload(); });
  });

  // ---------- buttons with data- attributes ----------
  document.addEventListener('click', function (event) {
    var target = event.target.closest('[data-action]');
    if (!target) return;
    event.preventDefault();
    var action = target.dataset.action;
    target.disabled = true;
    var done = function (r, then) { target.disabled = false; if (!r.ok) return notice(errorText(r), true); then(r); };
    if (action === 'stop') api('POST', '/api/v1/runs/' + target.dataset.run + '/stop').then(function (r) { done(r, function () { notice('Stopping run ' + target.dataset.run + ': every fault is being reverted'); }); });
    else if (action === 'run') api('POST', '/api/v1/runs', { experiment: target.dataset.experiment }).then(function (r) { done(r, function () { location.href = '/runs/' + r.body.runId; }); });
    else if (action === 'trigger') api('POST', '/api/v1/schedules/' + target.dataset.schedule + '/trigger').then(function (r) { done(r, function () { location.href = '/runs/' + r.body.runId; }); });
    else if (action === 'pause' || action === 'resume') api('POST', '/api/v1/schedules/' + target.dataset.schedule + '/' + action).then(function (r) { done(r, function () { location.reload(); }); });
    else if (action === 'delete-experiment') {
      if (!confirm('Delete experiment ' + target.dataset.experiment + '?')) { target.disabled = false; return; }
      api('DELETE', '/api/v1/experiments/' + target.dataset.experiment).then(function (r) { done(r, function () { location.href = '/experiments'; }); });
    } else if (action === 'delete-schedule') {
      if (!confirm('Delete schedule ' + target.dataset.schedule + '?')) { target.disabled = false; return; }
      api('DELETE', '/api/v1/schedules/' + target.dataset.schedule).then(function (r) { done(r, function () { location.href = '/schedules'; }); });
    } else target.disabled = false;
  });

  // ---------- the daemon's live events ----------
  if (window.EventSource && page !== 'login') {
    var daemonEvents = new EventSource('/api/v1/events');
    daemonEvents.addEventListener('halted', function () { reloadSoon(100); });
    daemonEvents.addEventListener('unhalted', function () { reloadSoon(100); });
    ['run-started', 'run-ended'].forEach(function (type) {
      daemonEvents.addEventListener(type, function () { if (page === 'overview' || page === 'runs' || page === 'experiments') reloadSoon(400); });
    });
    daemonEvents.addEventListener('occurrence', function () { if (page === 'schedules' || page === 'schedule') reloadSoon(400); });
    daemonEvents.addEventListener('schedule', function () { if (page === 'schedules') reloadSoon(200); });
    window.addEventListener('beforeunload', function () { daemonEvents.close(); });
  }

  // ---------- a run, live ----------
  if (page === 'run') liveRun(body.dataset.run);

  function liveRun(runId) {
    var chart = document.getElementById('live-chart');
    var list = document.getElementById('timeline');
    var stepLine = document.getElementById('current-step');
    var samples = [];
    var windows = [];
    var active = 0;
    var startedAt = Date.parse(body.dataset.started);
    var finished = body.dataset.ended === 'true';
    var endedAt = finished && body.dataset.endedAt ? Date.parse(body.dataset.endedAt) : null;
    var pending = false;
    var W = 900, H = 260, L = 46, R = 10, T = 10, B = 26;

    function draw() {
      pending = false;
      while (chart.firstChild) chart.removeChild(chart.firstChild);
      var end = endedAt || Date.now();
      var t0 = startedAt, span = Math.max(1000, end - t0);
      var maxLat = 10;
      samples.forEach(function (s) { if (s.latencyMs > maxLat) maxLat = s.latencyMs; });
      maxLat = Math.ceil(maxLat * 1.15);
      var x = function (t) { return L + (W - L - R) * (t - t0) / span; };
      var y = function (v) { return T + (H - T - B) * (1 - v / maxLat); };
      windows.forEach(function (w) {
        var x1 = x(w.from), x2 = x(w.to || end);
        chart.appendChild(svg('rect', { 'class': 'fault', x: x1, y: T, width: Math.max(1, x2 - x1), height: H - T - B }));
      });
      for (var i = 0; i <= 4; i++) {
        var v = maxLat * i / 4;
        chart.appendChild(svg('line', { 'class': 'gridline', x1: L, x2: W - R, y1: y(v), y2: y(v) }));
        chart.appendChild(svg('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end', text: Math.round(v) + 'ms' }));
      }
      for (var j = 0; j <= 5; j++) {
        var t = t0 + span * j / 5;
        chart.appendChild(svg('text', { x: x(t), y: H - 8, 'text-anchor': 'middle', text: '+' + ((t - t0) / 1000).toFixed(1) + 's' }));
      }
      chart.appendChild(svg('line', { 'class': 'axis', x1: L, x2: W - R, y1: H - B, y2: H - B }));
      samples.forEach(function (s) {
        chart.appendChild(svg('circle', { 'class': s.ok ? 'ok' : 'bad', cx: x(s.t), cy: y(s.ok ? s.latencyMs : maxLat * 0.97), r: s.ok ? 2.6 : 3.4 }));
      });
      var good = samples.filter(function (s) { return s.ok; }).length;
      var stats = document.getElementById('live-stats');
      if (stats) stats.textContent = samples.length + ' samples, ' + (samples.length ? (100 * good / samples.length).toFixed(1) : '-') + '% good';
    }
    function redraw() { if (!pending) { pending = true; requestAnimationFrame(draw); } }
    function addTimeline(e) {
      if (!list) return;
      var bad = /fail|refused|abort|tripped|halt|broke|error|inconclusive/.test(e.event);
      var item = el('li', { cls: bad ? 'bad' : '' }, [
        el('span', { cls: 't', text: '+' + ((Date.parse(e.t) - startedAt) / 1000).toFixed(2) + 's' }),
        el('span', { cls: 'e', text: e.event }),
        el('span', { text: e.detail })
      ]);
      list.appendChild(item);
      if (!finished) list.scrollTop = list.scrollHeight;
    }
    var source = new EventSource('/api/v1/runs/' + runId + '/events');
    source.addEventListener('sample', function (m) { samples.push(JSON.parse(m.data)); redraw(); });
    source.addEventListener('timeline', function (m) {
      var e = JSON.parse(m.data);
      var t = Date.parse(e.t);
      if (e.event === 'run-started') startedAt = Math.min(startedAt, t);
      if (e.event === 'injected') { if (active === 0) windows.push({ from: t, to: null }); active++; }
      if (e.event === 'reverted' || e.event === 'revert-failed') { active = Math.max(0, active - 1); if (active === 0 && windows.length) windows[windows.length - 1].to = t; }
      addTimeline(e);
      redraw();
    });
    source.addEventListener('step', function (m) {
      var s = JSON.parse(m.data);
      if (stepLine) stepLine.textContent = 'Step ' + (s.index + 1) + ' of ' + s.total + ': ' + s.name;
    });
    source.addEventListener('phase', function (m) {
      var p = JSON.parse(m.data);
      var phase = document.getElementById('current-phase');
      if (phase) phase.textContent = p.phase;
    });
    source.addEventListener('end', function (m) {
      source.close();
      var end = JSON.parse(m.data);
      endedAt = endedAt || (end.endedAt ? Date.parse(end.endedAt) : Date.now());
      windows.forEach(function (w) { if (!w.to) w.to = endedAt; });
      redraw();
      var banner = document.getElementById('verdict-banner');
      if (banner && body.dataset.ended !== 'true') {
        banner.className = 'verdict-banner ' + end.verdict;
        banner.textContent = '';
        banner.appendChild(el('span', { cls: 'v', text: end.verdict }));
        banner.appendChild(document.createTextNode(end.reason || ''));
        var stop = document.getElementById('stop-button');
        if (stop) stop.remove();
        var live = document.getElementById('live-dot');
        if (live) live.remove();
        setTimeout(function () { location.reload(); }, 1200);
      }
    });
    setInterval(function () { if (!endedAt) redraw(); }, 1000);
    redraw();
  }

  // ---------- the YAML editor ----------
  if (page === 'editor') editor();

  function editor() {
    var text = document.getElementById('yaml');
    var gutter = document.getElementById('gutter');
    var problems = document.getElementById('problems');
    var output = document.getElementById('dry-run');
    var kind = body.dataset.kind;
    var name = body.dataset.name;
    var bad = {};
    var timer = null;
    function renderGutter() {
      var n = text.value.split('\n').length;
      while (gutter.firstChild) gutter.removeChild(gutter.firstChild);
      for (var i = 1; i <= n; i++) gutter.appendChild(el('div', { cls: bad[i] ? 'bad' : '', text: String(i) }));
      gutter.scrollTop = text.scrollTop;
    }
    function goTo(line) {
      var lines = text.value.split('\n');
      var start = 0;
      for (var i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
      text.focus();
      text.setSelectionRange(start, start + (lines[line - 1] || '').length);
      text.scrollTop = Math.max(0, (line - 5) * 18);
    }
    function showProblems(r) {
      while (problems.firstChild) problems.removeChild(problems.firstChild);
      bad = {};
      if (r.ok) {
        var names = (r.body.experiments || []).map(function (e) { return e.name; }).concat((r.body.schedules || []).map(function (s) { return s.name + ' (next: ' + (s.nextRuns[0] || 'none') + ')'; }));
        problems.appendChild(el('li', { cls: 'ok', text: 'Valid: ' + (names.join(', ') || 'no document') }));
      } else {
        var details = (r.body && r.body.error && r.body.error.details) || [{ message: errorText(r) }];
        details.forEach(function (d) {
          if (d.line) bad[d.line] = true;
          var link = d.line ? el('a', { href: '#', text: 'line ' + d.line + ':' + d.column }) : null;
          if (link) link.addEventListener('click', function (e) { e.preventDefault(); goTo(d.line); });
          problems.appendChild(el('li', {}, [link, (d.path ? d.path + ': ' : '') + d.message]));
        });
      }
      renderGutter();
    }
    function validate() { return api('POST', '/api/v1/validate', text.value, true).then(function (r) { showProblems(r); return r; }); }
    text.addEventListener('input', function () { renderGutter(); clearTimeout(timer); timer = setTimeout(validate, 600); });
    text.addEventListener('scroll', function () { gutter.scrollTop = text.scrollTop; });
    text.addEventListener('keydown', function (e) {
      if (e.key === 'Tab') { e.preventDefault(); var s = text.selectionStart; text.setRangeText('  ', s, text.selectionEnd, 'end'); renderGutter(); }
    });
    var collection = kind === 'Schedule' ? 'schedules' : 'experiments';
    document.getElementById('validate-button').addEventListener('click', function () { validate(); });
    var save = document.getElementById('save-button');
    if (save) save.addEventListener('click', function () {
      var request = name ? api('PUT', '/api/v1/' + collection + '/' + name, text.value, true) : api('POST', '/api/v1/' + collection, text.value, true);
      request.then(function (r) {
        if (!r.ok) { showProblems(r); return notice('Not saved: ' + errorText(r), true); }
        var saved = name || (r.body[collection] && (r.body[collection][0].name || r.body[collection][0]));
        location.href = '/' + collection + '/' + saved + '?saved=1';
      });
    });
    var dry = document.getElementById('dry-run-button');
    if (dry) dry.addEventListener('click', function () {
      output.textContent = 'Planning...';
      api('POST', '/api/v1/dry-run', { yaml: text.value }).then(function (r) {
        if (!r.ok) { output.textContent = errorText(r); return; }
        var b = r.body;
        var lines = ['dry run of ' + b.experiment + ' (seed ' + b.seed + '): nothing was changed'];
        b.steps.forEach(function (s) {
          lines.push(s.path + ' ' + s.name + ': ' + s.fault + ', mode ' + s.mode + (s.value === null ? '' : ' ' + s.value) + ', ' + s.selected.length + ' of ' + s.candidates.length + ' candidate(s)');
          s.actions.forEach(function (a) { lines.push('    - ' + a); });
        });
        b.guards.forEach(function (g) { lines.push('guard ' + g.guard + ': ' + (g.ok ? 'pass' : 'REFUSE') + ' (' + g.detail + ')'); });
        b.stopConditions.forEach(function (c) { lines.push('stop condition: ' + c); });
        lines.push(b.wouldProceed ? 'a real run would proceed' : 'a real run would be refused');
        output.textContent = lines.join('\n');
      });
    });
    var run = document.getElementById('run-button');
    if (run) run.addEventListener('click', function () {
      run.disabled = true;
      var request = name ? api('POST', '/api/v1/runs', { experiment: name }) : api('POST', '/api/v1/runs', { yaml: text.value });
      request.then(function (r) { run.disabled = false; if (!r.ok) return notice('Not started: ' + errorText(r), true); location.href = '/runs/' + r.body.runId; });
    });
    renderGutter();
    if (text.value.trim()) validate();
  }

  // relative times
  Array.prototype.forEach.call(document.querySelectorAll('[data-ago]'), function (node) { node.textContent = ago(node.dataset.ago); node.title = node.dataset.ago; });
  void seconds; void badge; void canOperate;
})();
`;
