/** Importing this module registers every toxic type: see registered.ts, generated from the toxic files by scripts/generate.mjs. */
import './registered.js';
