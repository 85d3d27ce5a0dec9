/**
 * Every test file starts with its own $FAULTLINE_HOME, so nothing a test does in-process (a fault's backups,
 * a journal opened with the defaults) or in a child that inherits the environment reaches the host's
 * ~/.faultline. Tests that need a home of their own still make one (tempHome) and pass it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

process.env.FAULTLINE_HOME = mkdtempSync(join(tmpdir(), 'faultline-test-default-home-'));
