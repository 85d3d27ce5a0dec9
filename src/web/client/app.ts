/**
 * The dashboard's script: progressive over server-rendered pages. It calls the same API as everyone (the
 * session cookie plus the CSRF header), follows the daemon's and a run's live events over SSE, draws the
 * live chart with the one chart module (the HTML report's), and drives the editor. Type-checked and
 * linted with the rest; compiled by the build to dist/, and served with the modules it imports as ES
 * modules under /assets/ (src/web/client-script.ts).
 */
import type { Sample } from '../../probes/sample.js';
import { type ChartWindow, renderProbeChart } from '../../report/chart.js';
import { type GameDayProgressView, gameDayProgress } from './gameday-progress.js';

interface ApiResult {
  ok: boolean;
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: API bodies are read by field, as the API documents them
  body: any;
}

interface ErrorDetail {
  line?: number;
  column?: number;
  path?: string;
  message: string;
}

/** A sample as the run's event stream sends it (without its detail). */
type LiveSample = Omit<Sample, 'detail'>;

interface TimelineEntry {
  t: string;
  event: string;
  detail: string;
}

interface FaultWindow {
  from: number;
  to: number | null;
}

const body = document.body;
const page = body.dataset.page ?? '';

function byId<T extends HTMLElement = HTMLElement>(id: string): T | null {
  return document.getElementById(id) as T | null;
}

async function api(method: string, path: string, payload?: unknown, asYaml = false): Promise<ApiResult> {
  const headers: Record<string, string> = { 'X-Faultline-CSRF': '1', Accept: 'application/json' };
  const init: RequestInit = { method, headers, credentials: 'same-origin' };
  if (payload !== undefined) {
    headers['Content-Type'] = asYaml ? 'application/yaml' : 'application/json';
    init.body = asYaml ? String(payload) : JSON.stringify(payload);
  }
  // a change on its way holds back a live reload until its answer is in (see reloadSoon)
  const changes = method !== 'GET';
  if (changes) actionsInFlight++;
  try {
    const res = await fetch(path, init);
    if (res.status === 204) return { ok: true, status: 204, body: null };
    try {
      return { ok: res.ok, status: res.status, body: await res.json() };
    } catch {
      return { ok: res.ok, status: res.status, body: null };
    }
  } finally {
    // released after the caller has acted on the answer (a navigate() of its own), not before
    if (changes) setTimeout(() => actionsInFlight--, 0);
  }
}

function errorText(r: ApiResult): string {
  const error = r.body?.error;
  if (error) return error.message + (error.details ? `: ${(error.details as ErrorDetail[]).map((d) => d.message).join('; ')}` : '');
  return `HTTP ${r.status}`;
}

function el(tag: string, attrs: Record<string, string> = {}, children: (Node | string | null)[] = []): HTMLElement {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') node.textContent = v;
    else if (k === 'cls') node.className = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c) node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  return node;
}

function notice(text: string, bad = false): void {
  const box = byId('flash');
  if (!box) {
    alert(text);
    return;
  }
  box.textContent = text;
  box.className = bad ? 'error-box' : 'notice';
  box.hidden = false;
}

function ago(iso: string): string {
  const s = Math.round((Date.now() - Date.parse(iso)) / 1000);
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  if (s < 86400) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}

/**
 * Every page change the script makes goes through here. What a person's action leads to (a reload after
 * pausing a schedule, the run page after starting one) is made once and wins; a reload for a live event
 * waits while an action is on its way to the daemon and is dropped once the page is changing anyway
 * (the event is usually about that very action, and a second navigation would cut off the first).
 */
let navigating = false;
let liveReload: ReturnType<typeof setTimeout> | undefined;
let actionsInFlight = 0;

function navigate(to?: string): void {
  if (navigating) return;
  navigating = true;
  clearTimeout(liveReload);
  if (to === undefined) location.reload();
  else location.assign(to);
}

function reloadSoon(ms = 300): void {
  if (navigating || liveReload !== undefined) return;
  const fire = () => {
    if (actionsInFlight > 0) liveReload = setTimeout(fire, ms);
    else navigate();
  };
  liveReload = setTimeout(fire, ms);
}

// a page brought back by the browser's Back button shows what was true when it was left: draw it again
window.addEventListener('pageshow', (event) => {
  if (!event.persisted) return;
  navigating = false;
  liveReload = undefined;
  navigate();
});

// ---------- halt switch (every page) ----------
function haltSwitch(): void {
  const haltButton = byId('halt-button');
  const haltDialog = byId<HTMLDialogElement>('halt-dialog');
  const reasonInput = byId<HTMLInputElement>('halt-reason');
  if (haltButton && haltDialog && reasonInput) {
    haltButton.addEventListener('click', () => {
      haltDialog.showModal();
      reasonInput.focus();
    });
    // other buttons that halt (the game-day page's) open the same dialog
    for (const button of document.querySelectorAll<HTMLElement>('[data-open-halt]')) {
      button.addEventListener('click', () => {
        haltDialog.showModal();
        reasonInput.focus();
      });
    }
    byId('halt-cancel')?.addEventListener('click', () => haltDialog.close());
    byId('halt-confirm')?.addEventListener('click', async (event) => {
      event.preventDefault();
      const reason = reasonInput.value.trim();
      if (!reason) return reasonInput.focus();
      const r = await api('POST', '/api/v1/halt', { reason });
      haltDialog.close();
      if (!r.ok) return notice(`Halt failed: ${errorText(r)}`, true);
      navigate();
    });
  }
  byId('unhalt-button')?.addEventListener('click', async () => {
    if (!confirm('Lift the halt switch? Runs and schedules may start again.')) return;
    const r = await api('DELETE', '/api/v1/halt');
    if (!r.ok) return notice(`Unhalt failed: ${errorText(r)}`, true);
    navigate();
  });
}

// ---------- buttons with data- attributes ----------
function actionButtons(): void {
  document.addEventListener('click', async (event) => {
    const target = (event.target as Element | null)?.closest<HTMLButtonElement>('[data-action]');
    if (!target) return;
    event.preventDefault();
    const { action, run, experiment, schedule } = target.dataset;
    target.disabled = true;
    const done = (r: ApiResult, then: (r: ApiResult) => void) => {
      target.disabled = false;
      if (!r.ok) return notice(errorText(r), true);
      then(r);
    };
    const { gameday, stage } = target.dataset;
    if (action === 'approve-stage') {
      done(await api('POST', `/api/v1/gamedays/${gameday}/approve`, { stage: Number(stage) }), () => {
        notice(`Stage ${stage} approved: it starts within a second`);
        reloadSoon(600);
      });
    } else if (action === 'stop-gameday') {
      done(await api('POST', `/api/v1/gamedays/${gameday}/stop`), () =>
        notice(`Stopping game day ${gameday}: the run going reverts every fault, the rest is not run`),
      );
    } else if (action === 'stop') {
      done(await api('POST', `/api/v1/runs/${run}/stop`), () => notice(`Stopping run ${run}: every fault is being reverted`));
    } else if (action === 'run') {
      done(await api('POST', '/api/v1/runs', { experiment }), (r) => navigate(`/runs/${r.body.runId}`));
    } else if (action === 'trigger') {
      done(await api('POST', `/api/v1/schedules/${schedule}/trigger`), (r) => navigate(`/runs/${r.body.runId}`));
    } else if (action === 'pause' || action === 'resume') {
      done(await api('POST', `/api/v1/schedules/${schedule}/${action}`), () => navigate());
    } else if (action === 'delete-experiment') {
      if (!confirm(`Delete experiment ${experiment}?`)) return void (target.disabled = false);
      done(await api('DELETE', `/api/v1/experiments/${experiment}`), () => navigate('/experiments'));
    } else if (action === 'delete-schedule') {
      if (!confirm(`Delete schedule ${schedule}?`)) return void (target.disabled = false);
      done(await api('DELETE', `/api/v1/schedules/${schedule}`), () => navigate('/schedules'));
    } else target.disabled = false;
  });
}

// ---------- findings and action items of a game day ----------
function noteForms(): void {
  document.addEventListener('submit', async (event) => {
    const form = (event.target as Element | null)?.closest<HTMLFormElement>('form[data-note]');
    if (!form) return;
    event.preventDefault();
    const fields = Object.fromEntries([...new FormData(form).entries()].filter(([, v]) => v !== '').map(([k, v]) => [k, String(v)]));
    const button = form.querySelector<HTMLButtonElement>('button');
    if (button) button.disabled = true;
    const r = await api('POST', `/api/v1/gamedays/${form.dataset.gameday}/${form.dataset.note}`, fields);
    if (button) button.disabled = false;
    if (!r.ok) return notice(`Not added: ${errorText(r)}`, true);
    navigate();
  });
}

// ---------- the daemon's live events ----------
function daemonEvents(): void {
  if (!window.EventSource || page === 'login') return;
  // from the latest event the page was drawn after: none it already shows, none missed while it loaded
  const events = new EventSource(`/api/v1/events?lastEventId=${Number(body.dataset.eventsSeen) || 0}`);
  events.addEventListener('halted', () => reloadSoon(100));
  events.addEventListener('unhalted', () => reloadSoon(100));
  for (const type of ['run-started', 'run-ended']) {
    events.addEventListener(type, () => {
      if (page === 'overview' || page === 'runs' || page === 'experiments') reloadSoon(400);
    });
  }
  for (const type of ['gameday-started', 'gameday-ended']) {
    events.addEventListener(type, () => {
      if (page === 'gamedays') reloadSoon(400);
    });
  }
  events.addEventListener('occurrence', () => {
    if (page === 'schedules' || page === 'schedule') reloadSoon(400);
  });
  events.addEventListener('schedule', () => {
    if (page === 'schedules') reloadSoon(200);
  });
  window.addEventListener('beforeunload', () => events.close());
}

// ---------- a run, live ----------
function liveRun(runId: string): void {
  const chart = byId('live-chart');
  const list = byId('timeline');
  const stepLine = byId('current-step');
  if (!chart) return;
  const samples: LiveSample[] = [];
  const windows: FaultWindow[] = [];
  let active = 0;
  let startedAt = Date.parse(body.dataset.started ?? '');
  const finished = body.dataset.ended === 'true';
  let endedAt: number | null = finished && body.dataset.endedAt ? Date.parse(body.dataset.endedAt) : null;
  let pending = false;

  /** One chart per probe, drawn by the chart module of the HTML report. */
  function draw(): void {
    pending = false;
    if (!chart) return;
    const to = endedAt ?? Date.now();
    const faultWindows: ChartWindow[] = windows.map((w, i) => ({
      label: `fault ${i + 1}`,
      title: 'faults active',
      start: w.from,
      end: w.to ?? (endedAt === null ? to : null),
    }));
    const probes = [...new Set(samples.map((s) => s.probe))];
    const charts = (probes.length ? probes : ['waiting for samples']).map((probe) =>
      renderProbeChart({
        probe,
        samples: samples.filter((s) => s.probe === probe).map((s) => ({ ...s, detail: '' })),
        from: startedAt,
        to: Math.max(to, startedAt + 1000),
        windows: faultWindows,
      }),
    );
    // the chart module escapes every text it draws
    chart.innerHTML = charts.join('\n');
    const good = samples.filter((s) => s.ok).length;
    const stats = byId('live-stats');
    if (stats) stats.textContent = `${samples.length} samples, ${samples.length ? ((100 * good) / samples.length).toFixed(1) : '-'}% good`;
  }
  function redraw(): void {
    if (pending) return;
    pending = true;
    requestAnimationFrame(draw);
  }
  function addTimeline(e: TimelineEntry): void {
    if (!list) return;
    const bad = /fail|refused|abort|tripped|halt|broke|error|inconclusive/.test(e.event);
    list.appendChild(
      el('li', { cls: bad ? 'bad' : '' }, [
        el('span', { cls: 't', text: `+${((Date.parse(e.t) - startedAt) / 1000).toFixed(2)}s` }),
        el('span', { cls: 'e', text: e.event }),
        el('span', { text: e.detail }),
      ]),
    );
    if (!finished) list.scrollTop = list.scrollHeight;
  }
  const source = new EventSource(`/api/v1/runs/${runId}/events`);
  source.addEventListener('sample', (m) => {
    samples.push(JSON.parse(m.data) as LiveSample);
    redraw();
  });
  source.addEventListener('timeline', (m) => {
    const e = JSON.parse(m.data) as TimelineEntry;
    const t = Date.parse(e.t);
    if (e.event === 'run-started') startedAt = Math.min(startedAt, t);
    if (e.event === 'injected') {
      if (active === 0) windows.push({ from: t, to: null });
      active++;
    }
    if (e.event === 'reverted' || e.event === 'revert-failed') {
      active = Math.max(0, active - 1);
      const last = windows.at(-1);
      if (active === 0 && last) last.to = t;
    }
    addTimeline(e);
    redraw();
  });
  source.addEventListener('step', (m) => {
    const s = JSON.parse(m.data) as { index: number; total: number; name: string };
    if (stepLine) stepLine.textContent = `Step ${s.index + 1} of ${s.total}: ${s.name}`;
  });
  source.addEventListener('phase', (m) => {
    const phase = byId('current-phase');
    if (phase) phase.textContent = (JSON.parse(m.data) as { phase: string }).phase;
  });
  source.addEventListener('end', (m) => {
    source.close();
    const end = JSON.parse(m.data) as { verdict: string; reason?: string; endedAt?: string };
    endedAt ??= end.endedAt ? Date.parse(end.endedAt) : Date.now();
    for (const w of windows) w.to ??= endedAt;
    redraw();
    const banner = byId('verdict-banner');
    if (banner && body.dataset.ended !== 'true') {
      banner.className = `verdict-banner ${end.verdict}`;
      banner.textContent = '';
      banner.appendChild(el('span', { cls: 'v', text: end.verdict }));
      banner.appendChild(document.createTextNode(end.reason ?? ''));
      byId('stop-button')?.remove();
      byId('live-dot')?.remove();
      reloadSoon(1200);
    }
  });
  setInterval(() => {
    if (!endedAt) redraw();
  }, 1000);
  redraw();
}

// ---------- a game day, live ----------
/** Reads the game day every second; when it has moved on (a stage, a run, its status), the server draws it again. */
function liveGameDay(id: string): void {
  const drawn = body.dataset.progress ?? '';
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      const r = await api('GET', `/api/v1/gamedays/${encodeURIComponent(id)}`);
      if (r.ok && gameDayProgress(r.body as GameDayProgressView) !== drawn) {
        clearInterval(timer);
        reloadSoon(100);
      }
    } finally {
      busy = false;
    }
  }, 1000);
}

// ---------- the YAML editor ----------
function editor(): void {
  const text = byId<HTMLTextAreaElement>('yaml');
  const gutter = byId('gutter');
  const problems = byId('problems');
  if (!text || !gutter || !problems) return;
  const output = byId('dry-run');
  const kind = body.dataset.kind;
  const name = body.dataset.name;
  let bad: Record<number, boolean> = {};
  let timer: ReturnType<typeof setTimeout> | undefined;
  const renderGutter = () => {
    const n = text.value.split('\n').length;
    while (gutter.firstChild) gutter.removeChild(gutter.firstChild);
    for (let i = 1; i <= n; i++) gutter.appendChild(el('div', { cls: bad[i] ? 'bad' : '', text: String(i) }));
    gutter.scrollTop = text.scrollTop;
  };
  const goTo = (line: number) => {
    const lines = text.value.split('\n');
    let start = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) start += (lines[i] ?? '').length + 1;
    text.focus();
    text.setSelectionRange(start, start + (lines[line - 1] ?? '').length);
    text.scrollTop = Math.max(0, (line - 5) * 18);
  };
  const showProblems = (r: ApiResult) => {
    while (problems.firstChild) problems.removeChild(problems.firstChild);
    bad = {};
    if (r.ok) {
      const names = [
        ...((r.body.experiments ?? []) as { name: string }[]).map((e) => e.name),
        ...((r.body.schedules ?? []) as { name: string; nextRuns: string[] }[]).map((s) => `${s.name} (next: ${s.nextRuns[0] ?? 'none'})`),
      ];
      problems.appendChild(el('li', { cls: 'ok', text: `Valid: ${names.join(', ') || 'no document'}` }));
    } else {
      const details: ErrorDetail[] = r.body?.error?.details ?? [{ message: errorText(r) }];
      for (const d of details) {
        const line = d.line;
        if (line) bad[line] = true;
        const link = line ? el('a', { href: '#', text: `line ${line}:${d.column}` }) : null;
        link?.addEventListener('click', (e) => {
          e.preventDefault();
          goTo(line as number);
        });
        problems.appendChild(el('li', {}, [link, (d.path ? `${d.path}: ` : '') + d.message]));
      }
    }
    renderGutter();
  };
  const validate = async () => {
    const r = await api('POST', '/api/v1/validate', text.value, true);
    showProblems(r);
    return r;
  };
  text.addEventListener('input', () => {
    renderGutter();
    clearTimeout(timer);
    timer = setTimeout(validate, 600);
  });
  text.addEventListener('scroll', () => {
    gutter.scrollTop = text.scrollTop;
  });
  text.addEventListener('keydown', (e) => {
    if (e.key !== 'Tab') return;
    e.preventDefault();
    text.setRangeText('  ', text.selectionStart, text.selectionEnd, 'end');
    renderGutter();
  });
  const collection = kind === 'Schedule' ? 'schedules' : 'experiments';
  byId('validate-button')?.addEventListener('click', () => void validate());
  byId('save-button')?.addEventListener('click', async () => {
    const r = name
      ? await api('PUT', `/api/v1/${collection}/${name}`, text.value, true)
      : await api('POST', `/api/v1/${collection}`, text.value, true);
    if (!r.ok) {
      showProblems(r);
      return notice(`Not saved: ${errorText(r)}`, true);
    }
    const first = r.body[collection]?.[0];
    navigate(`/${collection}/${name || first?.name || first}?saved=1`);
  });
  byId('dry-run-button')?.addEventListener('click', async () => {
    if (!output) return;
    output.textContent = 'Planning...';
    const r = await api('POST', '/api/v1/dry-run', { yaml: text.value });
    if (!r.ok) {
      output.textContent = errorText(r);
      return;
    }
    const b = r.body;
    const lines = [`dry run of ${b.experiment} (seed ${b.seed}): nothing was changed`];
    for (const s of b.steps as {
      path: string;
      name: string;
      fault: string;
      mode: string;
      value: number | null;
      selected: unknown[];
      candidates: unknown[];
      actions: string[];
    }[]) {
      lines.push(
        `${s.path} ${s.name}: ${s.fault}, mode ${s.mode}${s.value === null ? '' : ` ${s.value}`}, ${s.selected.length} of ${s.candidates.length} candidate(s)`,
      );
      for (const a of s.actions) lines.push(`    - ${a}`);
    }
    for (const g of b.guards as { guard: string; ok: boolean; detail: string }[]) {
      lines.push(`guard ${g.guard}: ${g.ok ? 'pass' : 'REFUSE'} (${g.detail})`);
    }
    for (const c of b.stopConditions as string[]) lines.push(`stop condition: ${c}`);
    lines.push(b.wouldProceed ? 'a real run would proceed' : 'a real run would be refused');
    output.textContent = lines.join('\n');
  });
  const run = byId<HTMLButtonElement>('run-button');
  run?.addEventListener('click', async () => {
    run.disabled = true;
    const r = name ? await api('POST', '/api/v1/runs', { experiment: name }) : await api('POST', '/api/v1/runs', { yaml: text.value });
    run.disabled = false;
    if (!r.ok) return notice(`Not started: ${errorText(r)}`, true);
    navigate(`/runs/${r.body.runId}`);
  });
  renderGutter();
  if (text.value.trim()) void validate();
}

haltSwitch();
actionButtons();
noteForms();
daemonEvents();
if (page === 'run') liveRun(body.dataset.run ?? '');
if (page === 'gameday') {
  if (body.dataset.run) liveRun(body.dataset.run);
  liveGameDay(body.dataset.gameday ?? '');
}
if (page === 'editor') editor();
// relative times
for (const node of document.querySelectorAll<HTMLElement>('[data-ago]')) {
  const iso = node.dataset.ago ?? '';
  node.textContent = ago(iso);
  node.title = iso;
}
