import { UserError } from '../util/errors.js';

/**
 * One flag a subcommand accepts. `type: 'bool'` flags take no value. A flag may be given once,
 * unless `repeatable` (its value is then the array of the values given). A numeric flag declares
 * its valid range, checked by parseFlags: `min`/`max` are inclusive bounds, `above`/`below`
 * exclusive ones.
 */
export interface FlagSpec {
  type: 'string' | 'number' | 'int' | 'bool';
  default?: string | number | boolean;
  repeatable?: boolean;
  min?: number;
  max?: number;
  above?: number;
  below?: number;
  help: string;
}

/** The valid range of a numeric flag in words ("≥ 1", "in (0, 1]"), or '' when it has none. */
export function rangeText(spec: FlagSpec): string {
  const lo = spec.min !== undefined ? { v: spec.min, open: false } : spec.above !== undefined ? { v: spec.above, open: true } : undefined;
  const hi = spec.max !== undefined ? { v: spec.max, open: false } : spec.below !== undefined ? { v: spec.below, open: true } : undefined;
  if (lo && hi) {
    if (!lo.open && !hi.open) return `between ${lo.v} and ${hi.v}`;
    return `in ${lo.open ? '(' : '['}${lo.v}, ${hi.v}${hi.open ? ')' : ']'}`;
  }
  if (lo) return `${lo.open ? '>' : '≥'} ${lo.v}`;
  if (hi) return `${hi.open ? '<' : '≤'} ${hi.v}`;
  return '';
}

function inRange(spec: FlagSpec, n: number): boolean {
  return (spec.min === undefined || n >= spec.min) && (spec.max === undefined || n <= spec.max)
    && (spec.above === undefined || n > spec.above) && (spec.below === undefined || n < spec.below);
}

export type FlagValues = Record<string, string | number | boolean | string[] | number[] | undefined>;

/**
 * Parses `--name value`, `--name=value` and boolean `--name` flags against `specs`. Unknown flags,
 * bad values, values out of a flag's range and a flag given twice (unless repeatable) throw
 * UserError naming the flag and what is valid.
 */
export function parseFlags(command: string, argv: string[], specs: Record<string, FlagSpec>): { flags: FlagValues; rest: string[] } {
  const flags: FlagValues = {};
  const rest: string[] = [];
  const seen = new Set<string>();
  for (const [name, spec] of Object.entries(specs)) {
    if (typeof spec.default === 'number' && !inRange(spec, spec.default)) throw new Error(`s2s ${command}: the default of --${name} (${spec.default}) is not ${rangeText(spec)}`);
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
    if (seen.has(name) && !spec.repeatable) throw new UserError(`s2s ${command}: --${name} given twice; give it once`);
    seen.add(name);
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
      // Number('') is 0: an empty value is not a number.
      if (value.trim() === '' || !Number.isFinite(n) || (spec.type === 'int' && !Number.isInteger(n))) {
        throw new UserError(`s2s ${command}: --${name} expects ${spec.type === 'int' ? 'an integer' : 'a number'}, got '${value}'`);
      }
      if (!inRange(spec, n)) throw new UserError(`s2s ${command}: --${name} must be ${rangeText(spec)}, got ${value}`);
      parsed = n;
    }
    if (spec.repeatable) {
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
    const notes = [rangeText(spec), spec.default !== undefined ? `default ${String(spec.default)}` : '', spec.repeatable ? 'repeatable' : ''].filter(Boolean);
    const note = notes.length > 0 ? ` (${notes.join(', ')})` : '';
    lines.push(`  --${name}${spec.type === 'bool' ? '' : ' ' + spec.type.toUpperCase()}  ${spec.help}${note}`);
  }
  return lines.join('\n');
}
