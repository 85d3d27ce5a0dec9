/** The dashboard's stylesheet, served at /assets/app.css (no build step; no inline styles, so the CSP forbids them). */
import { CHART_CSS } from '../report/chart.js';

export const APP_CSS = `
${CHART_CSS}
:root { --bg: #f5f6f8; --card: #fff; --ink: #1b1f24; --muted: #5f6b7a; --line: #dde1e6; --brand: #22262d;
  --pass: #1a7f37; --fail: #cf222e; --abort: #bf8700; --err: #8250df; --int: #6e7781; --run: #0969da; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
a { color: var(--run); text-decoration: none; } a:hover { text-decoration: underline; }
code, .mono, textarea { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
header.top { display: flex; align-items: center; gap: 18px; padding: 10px 20px; background: var(--brand); color: #fff; position: sticky; top: 0; z-index: 5; }
header.top .brand { color: #fff; font-weight: 700; font-size: 17px; letter-spacing: .3px; }
header.top .brand span { color: #ff6b6b; }
header.top nav { display: flex; gap: 4px; flex: 1; }
header.top nav a { color: #c9d1d9; padding: 6px 10px; border-radius: 6px; }
header.top nav a.current, header.top nav a:hover { color: #fff; background: #3a404a; text-decoration: none; }
header.top .who { color: #c9d1d9; font-size: 13px; display: flex; align-items: center; gap: 8px; }
header.top .who form { margin: 0; }
header.top .who button { background: none; border: 1px solid #59616c; color: #c9d1d9; border-radius: 6px; padding: 3px 8px; cursor: pointer; }
button.halt { background: #d1242f; color: #fff; border: 0; border-radius: 8px; padding: 9px 22px; font-weight: 800; font-size: 15px; letter-spacing: 1.5px; cursor: pointer; box-shadow: 0 0 0 3px rgba(209,36,47,.35); }
button.halt:hover { background: #a40e26; } button.halt:disabled { opacity: .45; cursor: not-allowed; }
.halted-banner { background: #d1242f; color: #fff; padding: 10px 20px; display: flex; gap: 14px; align-items: center; font-weight: 600; }
.halted-banner button { background: #fff; color: #d1242f; border: 0; border-radius: 6px; padding: 5px 12px; font-weight: 700; cursor: pointer; }
main { max-width: 1280px; margin: 0 auto; padding: 20px; }
h1 { font-size: 22px; margin: 4px 0 14px; } h2 { font-size: 16px; margin: 0 0 10px; }
.grid { display: grid; gap: 16px; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); margin-bottom: 16px; }
.cols { display: grid; gap: 16px; grid-template-columns: 3fr 2fr; } @media (max-width: 980px) { .cols { grid-template-columns: 1fr; } }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; margin-bottom: 16px; overflow-x: auto; }
.stat .n { font-size: 28px; font-weight: 700; } .stat .l { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .5px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 7px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; color: var(--muted); font-weight: 600; text-transform: uppercase; letter-spacing: .4px; }
tr:last-child td { border-bottom: 0; }
td.reason { color: var(--muted); max-width: 420px; }
.muted { color: var(--muted); } .small { font-size: 12px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 700; color: #fff; text-transform: uppercase; letter-spacing: .4px; }
.badge.passed, .badge.held, .badge.ok, .badge.started, .badge.scheduled, .badge.done { background: var(--pass); }
.badge.waiting { background: var(--abort); }
.badge.failed, .badge.broke, .badge.denied { background: var(--fail); }
.badge.aborted, .badge.skipped, .badge.missed, .badge.suspended, .badge.invalid { background: var(--abort); }
.badge.error { background: var(--err); }
.badge.interrupted, .badge.expired, .badge.pending, .badge.not-run { background: var(--int); }
.badge.running { background: var(--run); }
.btn { display: inline-block; background: #f6f8fa; border: 1px solid #c9ced4; color: var(--ink); border-radius: 6px; padding: 5px 12px; cursor: pointer; font-size: 13px; }
.btn:hover { background: #eef1f4; text-decoration: none; } .btn:disabled { opacity: .5; cursor: not-allowed; }
.btn.primary { background: #1f883d; border-color: #1a7f37; color: #fff; } .btn.primary:hover { background: #1a7f37; }
.btn.danger { background: #fff; border-color: #d1242f; color: #d1242f; } .btn.danger:hover { background: #ffebe9; }
.actions { display: flex; gap: 8px; flex-wrap: wrap; align-items: center; margin: 10px 0; }
.note-form { display: flex; gap: 6px; flex-wrap: wrap; margin-top: 10px; }
.note-form input[name="text"] { flex: 1; min-width: 12em; }
form.filters { display: flex; gap: 10px; flex-wrap: wrap; align-items: end; }
form.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); gap: 3px; }
input, select, textarea { border: 1px solid #c9ced4; border-radius: 6px; padding: 5px 8px; font-size: 13px; background: #fff; color: var(--ink); }
.editor { display: grid; grid-template-columns: 46px 1fr; border: 1px solid #c9ced4; border-radius: 8px; overflow: hidden; background: #fff; }
.editor .gutter { background: #f6f8fa; color: #8c959f; text-align: right; padding: 8px 6px; line-height: 18px; font-family: ui-monospace, monospace; font-size: 12.5px; user-select: none; overflow: hidden; }
.editor .gutter div.bad { background: #ffebe9; color: var(--fail); font-weight: 700; }
.editor textarea { border: 0; border-radius: 0; padding: 8px; line-height: 18px; min-height: 460px; width: 100%; resize: vertical; outline: none; white-space: pre; overflow: auto; tab-size: 2; }
ul.problems { margin: 8px 0 0; padding: 0; list-style: none; }
ul.problems li { padding: 6px 10px; border-left: 3px solid var(--fail); background: #fff5f5; margin-bottom: 4px; border-radius: 0 6px 6px 0; font-size: 13px; }
ul.problems li.ok { border-color: var(--pass); background: #f0fff4; }
ul.problems li a { font-family: ui-monospace, monospace; margin-right: 6px; }
.verdict-banner { border-radius: 10px; padding: 14px 18px; color: #fff; margin-bottom: 16px; }
.verdict-banner.passed { background: var(--pass); } .verdict-banner.failed { background: var(--fail); } .verdict-banner.aborted { background: var(--abort); }
.verdict-banner.error { background: var(--err); } .verdict-banner.interrupted { background: var(--int); } .verdict-banner.running { background: var(--run); }
.verdict-banner.waiting { background: var(--abort); }
.verdict-banner .v { font-size: 20px; font-weight: 800; letter-spacing: 1px; margin-right: 10px; text-transform: uppercase; }
.legend { display: flex; gap: 14px; font-size: 12px; color: var(--muted); margin-top: 6px; }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }
.legend i.ok { background: #1a7f37; } .legend i.bad { background: #cf222e; } .legend i.fault { background: #ffd8d3; } .legend i.mttd { background: #bf8700; } .legend i.mttr { background: #0969da; }
ol.timeline { list-style: none; margin: 0; padding: 0; max-height: 420px; overflow: auto; font-size: 13px; }
ol.timeline li { padding: 4px 0; border-bottom: 1px dashed var(--line); display: grid; grid-template-columns: 70px 130px 1fr; gap: 8px; }
ol.timeline li .t { color: var(--muted); font-family: ui-monospace, monospace; font-size: 12px; }
ol.timeline li .e { font-weight: 600; } ol.timeline li.bad .e { color: var(--fail); }
iframe.report { width: 100%; height: 900px; border: 1px solid var(--line); border-radius: 10px; background: #fff; }
dialog { border: 0; border-radius: 12px; padding: 20px 22px; width: min(480px, 92vw); box-shadow: 0 20px 60px rgba(0,0,0,.35); }
dialog h2 { color: #d1242f; } dialog textarea { width: 100%; min-height: 80px; margin: 8px 0 12px; font-family: system-ui, sans-serif; }
.login { max-width: 420px; margin: 80px auto; } .login input { width: 100%; padding: 9px; margin: 8px 0 14px; font-family: ui-monospace, monospace; }
.error-box { background: #ffebe9; border: 1px solid #ff8182; border-radius: 8px; padding: 8px 12px; margin-bottom: 12px; color: #82071e; }
.notice { background: #ddf4ff; border: 1px solid #54aeff; border-radius: 8px; padding: 8px 12px; margin-bottom: 12px; }
.pager { display: flex; justify-content: flex-end; margin-top: 8px; }
pre.yaml { background: #f6f8fa; border-radius: 8px; padding: 10px; overflow: auto; max-height: 420px; }
.kv { display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px; font-size: 13px; } .kv dt { color: var(--muted); } .kv dd { margin: 0; }
.live-dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%; background: #2da44e; margin-right: 6px; animation: pulse 1.2s infinite; }
@keyframes pulse { 0% { opacity: 1; } 50% { opacity: .3; } 100% { opacity: 1; } }
`;
