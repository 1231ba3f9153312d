import { UserError } from '../util/errors.js';

/** One flag a subcommand accepts. `type: 'bool'` flags take no value; `multi` flags may repeat. */
export interface FlagSpec {
  type: 'string' | 'number' | 'int' | 'bool';
  default?: string | number | boolean;
  multi?: boolean;
  help: string;
}

export type FlagValues = Record<string, string | number | boolean | string[] | number[] | undefined>;

/**
 * Parses `--name value`, `--name=value` and boolean `--name` flags against `specs`. Unknown flags
 * and bad values throw UserError naming the flag and the valid choices.
 */
export function parseFlags(command: string, argv: string[], specs: Record<string, FlagSpec>): { flags: FlagValues; rest: string[] } {
  const flags: FlagValues = {};
  const rest: string[] = [];
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.default !== undefined) flags[name] = spec.default;
    else if (spec.type === 'bool') flags[name] = false;
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      rest.push(arg);
      continue;
    }
    let name = arg.slice(2);
    let value: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    const spec = specs[name];
    if (!spec) {
      const known = Object.keys(specs).map((k) => '--' + k).join(' ');
      throw new UserError(`s2s ${command}: unknown flag --${name}; valid flags: ${known}`);
    }
    if (spec.type === 'bool') {
      flags[name] = value === undefined ? true : !/^(0|false|no)$/i.test(value);
      continue;
    }
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new UserError(`s2s ${command}: --${name} needs a value (${spec.help})`);
    }
    let parsed: string | number = value;
    if (spec.type === 'number' || spec.type === 'int') {
      const n = Number(value);
      if (!Number.isFinite(n) || (spec.type === 'int' && !Number.isInteger(n))) {
        throw new UserError(`s2s ${command}: --${name} expects ${spec.type === 'int' ? 'an integer' : 'a number'}, got '${value}'`);
      }
      parsed = n;
    }
    if (spec.multi) {
      const prev = flags[name];
      const list = (Array.isArray(prev) ? prev : []) as (string | number)[];
      list.push(parsed);
      flags[name] = list as string[] | number[];
    } else {
      flags[name] = parsed;
    }
  }
  return { flags, rest };
}

/** Checks that a string flag is one of `choices`, with an error listing them. */
export function oneOf<T extends string>(command: string, flag: string, value: unknown, choices: readonly T[]): T {
  if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
  throw new UserError(`s2s ${command}: --${flag} must be one of ${choices.join('|')}, got '${String(value)}'`);
}

export function requireFlag(command: string, flags: FlagValues, name: string, what: string): string {
  const v = flags[name];
  if (typeof v !== 'string' || v === '') throw new UserError(`s2s ${command}: --${name} is required (${what})`);
  return v;
}

/** Renders a help text from the flag specs. */
export function helpText(command: string, summary: string, specs: Record<string, FlagSpec>): string {
  const lines = [`s2s ${command} — ${summary}`, ''];
  for (const [name, spec] of Object.entries(specs)) {
    const dflt = spec.default !== undefined ? ` (default ${String(spec.default)})` : '';
    lines.push(`  --${name}${spec.type === 'bool' ? '' : ' ' + spec.type.toUpperCase()}  ${spec.help}${dflt}`);
  }
  return lines.join('\n');
}
