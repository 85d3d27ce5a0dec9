/**
 * The documents the API stores as YAML text (re-parsed at run time): experiments here, schedules in
 * schedules-store.ts. Used by server/documents.ts and the experiment routes and pages. Part of
 * DaemonStore (daemon-store.ts).
 */

export interface StoredDocument {
  name: string;
  yaml: string;
  labels: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  updatedBy: string;
}

export interface StoredExperiment extends StoredDocument {
  hypothesis: string;
}

export interface DocumentsStore {
  listExperiments(): Promise<StoredExperiment[]>;
  getExperiment(name: string): Promise<StoredExperiment | undefined>;
  /** creates (or replaces, with `replace`) every experiment at once, or none */
  putExperiments(experiments: StoredExperiment[], replace: boolean): Promise<void>;
  deleteExperiment(name: string): Promise<boolean>;
}

/** Thrown by put* when a document that must be new exists, or one to replace does not. */
export class ConflictError extends Error {
  constructor(
    message: string,
    readonly names: string[],
  ) {
    super(message);
    this.name = 'ConflictError';
  }
}
