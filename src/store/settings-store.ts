/**
 * Small named settings shared by every daemon on the database: the project document stored through
 * the API (server/project.ts). Part of DaemonStore (daemon-store.ts).
 */

export interface SettingsStore {
  getSetting(key: string): Promise<string | undefined>;
  putSetting(key: string, value: string): Promise<void>;
}
