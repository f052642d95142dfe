/**
 * The command line's shared vocabulary: exit codes, the streams a command writes to, the
 * options every setting of the table (settings/table.ts) becomes (one value for `run`, a list
 * for `sweep`), and parsers for the options that are not settings.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { ConfigError } from '../settings/config.js';
import { SETTING_NAMES, SETTINGS, SettingError, type SettingName, type SettingRow, type Settings } from '../settings/table.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

export interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

const rowOf = (name: SettingName) => SETTINGS[name] as SettingRow<unknown>;

/** A setting's text through its row; commander shows the problem after the option and its argument. */
function settingParser(name: SettingName): (text: string) => unknown {
  return (text) => {
    try {
      return rowOf(name).parse(text);
    } catch (error) {
      if (error instanceof SettingError) throw new InvalidArgumentError(`${error.message}.`);
      throw error;
    }
  };
}

const RANGE = /^(-?\d+)\.\.(-?\d+)(?::(\d+))?$/;

/**
 * A list: "a,b,c", and for integer settings also "from..to" or "from..to:step" (inclusive),
 * e.g. "0..8:2" for 0,2,4,6,8. Each item goes through `parseItem`; an error names the item.
 */
export function listParser<T>(parseItem: (text: string) => T, ranges: boolean): (text: string) => T[] {
  return (text) => {
    const values: T[] = [];
    const parse = (item: string): T => {
      try {
        return parseItem(item);
      } catch (error) {
        if (!(error instanceof InvalidArgumentError) || !text.includes(',')) throw error;
        throw new InvalidArgumentError(`item '${item}': ${error.message}`);
      }
    };
    for (const item of text.split(',').map((part) => part.trim())) {
      const range = ranges ? RANGE.exec(item) : null;
      if (range) {
        const [from, to, step] = [Number(range[1]), Number(range[2]), Number(range[3] ?? 1)];
        if (step < 1 || to < from) throw new InvalidArgumentError(`range ${item} must go up (from..to:step, step ≥ 1).`);
        if ((to - from) / step >= 100_000) throw new InvalidArgumentError(`range ${item} has more than 100,000 values.`);
        for (let value = from; value <= to; value += step) values.push(parse(String(value)));
      } else {
        if (item === '') throw new InvalidArgumentError('expected a comma-separated list with no empty items.');
        values.push(parse(item));
      }
    }
    return values;
  };
}

const flagOf = (name: SettingName, list: boolean) => (list ? (rowOf(name).gridFlag ?? rowOf(name).flag) : rowOf(name).flag);

function settingOption(name: SettingName, list: boolean): Option {
  const row = rowOf(name);
  const flag = flagOf(name, list);
  const choices = row.choices ? ` (${row.choices.map((choice) => row.format(choice)).join(', ')})` : '';
  const option = new Option(`${flag} ${list ? '<list>' : row.argument}`, `${row.doc}${choices}`);
  if (list) option.argParser(listParser(settingParser(name), row.integer === true));
  else option.argParser(settingParser(name)).default(row.default, row.format(row.default));
  return option;
}

/** Adds an option per setting in `names`: one value each (`run`), or a list each (`sweep`). */
export function addSettingOptions(command: Command, names: readonly SettingName[], list = false): Command {
  for (const name of names) command.addOption(settingOption(name, list));
  return command;
}

/** The settings among `names` that the parsed options hold (`list`: as `sweep` takes them). */
export function settingsFromOptions(options: Record<string, unknown>, names: readonly SettingName[], list = false): Partial<Settings> {
  const settings: Record<string, unknown> = {};
  for (const name of names) {
    // Where commander keeps the option's value: its attribute name, from the flag.
    const value = options[new Option(`${flagOf(name, list)} <value>`).attributeName()];
    if (value !== undefined) settings[name] = value;
  }
  return settings;
}

/** The settings a `run` takes: all of them. */
export const RUN_SETTINGS: readonly SettingName[] = SETTING_NAMES;
/** The settings `reproduce` takes: all but the border's, which the question's pair of runs fixes. */
export const REPRODUCE_SETTINGS: readonly SettingName[] = SETTING_NAMES.filter((name) => !('padding' in SETTINGS[name]));

/** A config error as the command line says it: the setting's flag (or grid flag), then the problem. */
export function configErrorText(error: ConfigError, list = false): string {
  if (error.setting === null) return error.message;
  return `${flagOf(error.setting, list)} ${error.problem}`;
}

/** A command line that asks for something losslens does not do: printed as one error line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** An integer option that is not a setting (a process count, a retry count). */
export function integerArgument(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim()) || Number(value) < min || Number(value) > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max.toLocaleString('en-US')}`;
      throw new InvalidArgumentError(`expected an integer ${range}.`);
    }
    return Number(value);
  };
}
