/**
 * Options shared by several commands. This file stays light (commander only): every command is declared
 * at start, before any of them runs, so what a declaration imports is paid by every command.
 */
import { Option } from '@commander-js/extra-typings';

/** The `--notify` option, shared by the commands that run experiments (repeatable). */
export function notifyOption() {
  return new Option(
    '--notify <channel>',
    'also notify after each run: slack, pagerduty, webhook=URL (secrets from the environment, see docs/notifications.md); none: send no notification at all',
  )
    .argParser((value: string, previous: string[]) => [...previous, value])
    .default([] as string[]);
}

/** The `--store` of the commands that run experiments or keep game days: the daemon's store, for one history. */
export function storeOption() {
  return new Option(
    '--store <store>',
    "where runs (and game days) are recorded: sqlite (default, $FAULTLINE_HOME/runs.db), sqlite:PATH or postgres://... (the daemon's --store, for one history)",
  ).default('sqlite');
}
