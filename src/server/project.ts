/**
 * The project of the daemon's experiments (shared targets, probes, policy): the file of `--project`,
 * read-only through the API, or else one an admin stores through `PUT /api/v1/project` (kept in the
 * store, so every daemon on a shared database uses it, and written to a file for the loader).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LoadOptions, loadProject, type Project } from '../spec/load.js';
import type { SettingsStore } from '../store/settings-store.js';
import { UserError } from '../util/errors.js';
import { conflict, invalidDocument } from './errors.js';

const SETTING = 'project';

export class ProjectSource {
  private path: string | null;
  private text: string | null = null;

  constructor(
    private readonly store: SettingsStore,
    private readonly flagFile: string | null,
    private readonly home: string,
  ) {
    this.path = flagFile;
  }

  get source(): 'flag' | 'api' | 'none' {
    return this.flagFile ? 'flag' : this.path ? 'api' : 'none';
  }

  /** Loader options for the project as stored now (another daemon may have replaced it). */
  async options(): Promise<LoadOptions> {
    if (!this.flagFile) await this.refresh();
    return this.current();
  }

  /** The options as last refreshed (for the scheduler's synchronous parsing). */
  current(): LoadOptions {
    return { project: this.path };
  }

  async refresh(): Promise<void> {
    if (this.flagFile) {
      loadProject(this.flagFile); // a broken --project file stops the daemon at start with its errors
      return;
    }
    const text = (await this.store.getSetting(SETTING)) ?? null;
    if (text === this.text) return;
    this.text = text;
    if (text === null) {
      this.path = null;
      return;
    }
    const file = join(this.home, 'daemon-project.yaml');
    writeFileSync(file, text, { mode: 0o600 });
    this.path = file;
  }

  async get(): Promise<{ source: string; yaml: string | null; file: string | null }> {
    if (this.flagFile) {
      const { readFileSync } = await import('node:fs');
      return { source: 'flag', yaml: readFileSync(this.flagFile, 'utf8'), file: this.flagFile };
    }
    await this.refresh();
    return { source: this.text === null ? 'none' : 'api', yaml: this.text, file: null };
  }

  /** Validates and stores a Project document (admin); `allow` may refuse it (throws) before it is stored. */
  async put(yaml: string, allow: (project: Project) => void = () => {}): Promise<void> {
    if (this.flagFile) throw conflict(`the project comes from --project ${this.flagFile}; edit that file and restart the daemon`);
    const file = join(this.home, 'daemon-project.check.yaml');
    writeFileSync(file, yaml, { mode: 0o600 });
    let project: Project;
    try {
      project = loadProject(file);
    } catch (error) {
      if (error instanceof UserError) throw invalidDocument(error);
      throw error;
    }
    allow(project);
    await this.store.putSetting(SETTING, yaml);
    await this.refresh();
  }
}
