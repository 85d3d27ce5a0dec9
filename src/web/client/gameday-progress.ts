/**
 * Where a game day is, in one string: its status, each stage's status and the runs it has started. The
 * game-day page is rendered with it; the page's script reads the report again every second and reloads
 * when the string differs, so the server draws every state (one rendering, on the server). Shared by
 * both sides: the script imports it from /assets/.
 */
export interface GameDayProgressView {
  status: string;
  stages: readonly { status: string; runs: readonly { runId: string }[] }[];
}

export function gameDayProgress(report: GameDayProgressView): string {
  return [report.status, ...report.stages.map((s) => `${s.status}:${s.runs.map((r) => r.runId).join(',')}`)].join('|');
}
