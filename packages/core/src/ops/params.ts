import { describeValue, ErrorCode, RectifierError } from '../errors.js';
import { ownRecord } from '../guard.js';

/** How a numeric parameter is constrained. */
export type NumberRule =
  | 'finite' // any finite number
  | 'notNaN' // any number but NaN (±∞ allowed, e.g. clamp bounds)
  | 'positive' // finite and > 0
  | 'nonNegative' // finite and ≥ 0
  | 'uint32' // an integer in [0, 2^32)
  | 'axis'; // an integer (negative counts from the end)

/** One parameter of an op, as the catalogue declares it: a constrained number or one of a set of strings. */
export type ParamSpec =
  | {
    /** The parameter's key in the params object, e.g. `'alpha'`. */
    readonly name: string;
    /** A numeric parameter. */
    readonly type: 'number';
    /** The constraint a given value must meet (else `BAD_PARAMETER`). */
    readonly rule: NumberRule;
    /** The value used when the parameter is not given; undefined for an optional one with no default. */
    readonly default: number | undefined;
    /** One line on what the parameter does, for docs. */
    readonly doc: string;
  }
  | {
    /** The parameter's key in the params object, e.g. `'approximate'`. */
    readonly name: string;
    /** A string parameter taking one of `values`. */
    readonly type: 'enum';
    /** The strings accepted (anything else gives `BAD_PARAMETER`). */
    readonly values: readonly string[];
    /** The value used when the parameter is not given. */
    readonly default: string;
    /** One line on what the parameter does, for docs. */
    readonly doc: string;
  };

/** A parameter's value: a number, an enum string, or undefined for an optional parameter left unset. */
export type ParamValue = number | string | undefined;
/** Parameters after validation, with every default filled in (optional ones may stay undefined). */
export type ResolvedParams = Readonly<Record<string, ParamValue>>;

const RULE_TEXT: Record<NumberRule, string> = {
  finite: 'a finite number',
  notNaN: 'a number that is not NaN',
  positive: 'a finite number > 0',
  nonNegative: 'a finite number ≥ 0',
  uint32: 'an integer in [0, 2^32)',
  axis: 'an integer axis',
};

function satisfies(rule: NumberRule, v: number): boolean {
  switch (rule) {
    case 'finite': return Number.isFinite(v);
    case 'notNaN': return !Number.isNaN(v);
    case 'positive': return Number.isFinite(v) && v > 0;
    case 'nonNegative': return Number.isFinite(v) && v >= 0;
    case 'uint32': return Number.isInteger(v) && v >= 0 && v < 2 ** 32;
    case 'axis': return Number.isInteger(v);
  }
}

/** Checks `given` against the specs (unknown keys are an error: a typo must not pass silently). */
export function resolveParams(op: string, specs: readonly ParamSpec[], given: unknown): ResolvedParams {
  const known = specs.length === 0 ? 'no parameters' : `one of ${specs.map((s) => s.name).join(', ')}`;
  // Own properties only, each read once: a key set on Object.prototype is not a parameter.
  const g = ownRecord(op, 'params', given, specs.map((s) => s.name),
    () => new RectifierError(ErrorCode.BadParameter, { op, argument: 'params', expected: 'an object of parameters or undefined', received: describeValue(given) }),
    (key) => new RectifierError(ErrorCode.BadParameter, { op, argument: key, expected: known, received: 'an unknown parameter' }));
  // Null prototype: a kernel reading an optional parameter that was not given gets undefined, not Object.prototype's.
  const out = Object.create(null) as Record<string, ParamValue>;
  for (const spec of specs) {
    const v = g[spec.name];
    if (v === undefined) {
      out[spec.name] = spec.default;
      continue;
    }
    if (spec.type === 'number') {
      if (typeof v !== 'number' || !satisfies(spec.rule, v)) {
        throw new RectifierError(ErrorCode.BadParameter, { op, argument: spec.name, expected: RULE_TEXT[spec.rule], received: describeValue(v) });
      }
    } else if (typeof v !== 'string' || !spec.values.includes(v)) {
      throw new RectifierError(ErrorCode.BadParameter, {
        op, argument: spec.name, expected: `one of ${spec.values.map((s) => `'${s}'`).join(', ')}`, received: describeValue(v),
      });
    }
    out[spec.name] = v;
  }
  return Object.freeze(out);
}
