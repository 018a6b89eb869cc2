/**
 * Label and field selectors as the API server parses them (k8s.io/apimachinery labels.Parse and
 * fields.ParseSelector), reduced to the operators clients send: `=`, `==`, `!=`, `in`, `notin`, `key`, `!key`.
 */

/** A parse failure the server answers with 400 BadRequest; `message` is the server's wording. */
export class SelectorError extends Error {}

export type LabelMatcher = (labels: Readonly<Record<string, string>>) => boolean;

const KEY = '[A-Za-z0-9](?:[-A-Za-z0-9_./]*[A-Za-z0-9])?';
const VALUE = '(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?';
const EXISTS = new RegExp(`^(${KEY})$`);
const NOT_EXISTS = new RegExp(`^!\\s*(${KEY})$`);
const EQUALITY = new RegExp(`^(${KEY})\\s*(==|=|!=)\\s*(${VALUE})$`);
const SET = new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\(([^()]*)\\)$`);
const SET_VALUE = new RegExp(`^${VALUE}$`);

/** Splits on commas outside parentheses: `a in (x,y),b` → [`a in (x,y)`, `b`]. */
function splitRequirements(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of selector) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts.map((p) => p.trim());
}

/** Parses a `labelSelector` query value; an empty selector matches everything. */
export function parseLabelSelector(selector: string): LabelMatcher {
  if (selector.trim() === '') return () => true;
  const matchers = splitRequirements(selector).map((requirement): LabelMatcher => {
    let m = NOT_EXISTS.exec(requirement);
    if (m) {
      const key = m[1]!;
      return (labels) => !(key in labels);
    }
    m = EQUALITY.exec(requirement);
    if (m) {
      const [, key, op, value] = m as unknown as [string, string, string, string];
      return op === '!=' ? (labels) => labels[key] !== value : (labels) => labels[key] === value;
    }
    m = SET.exec(requirement);
    if (m) {
      const [, key, op, list] = m as unknown as [string, string, string, string];
      const values = list.split(',').map((v) => v.trim());
      const bad = values.find((v) => !SET_VALUE.test(v));
      if (bad !== undefined)
        throw new SelectorError(`unable to parse requirement: invalid label value: "${bad}"`);
      const set = new Set(values);
      // notin also matches objects without the key, as labels.Requirement.Matches does.
      return op === 'in'
        ? (labels) => key in labels && set.has(labels[key]!)
        : (labels) => !(key in labels) || !set.has(labels[key]!);
    }
    m = EXISTS.exec(requirement);
    if (m) {
      const key = m[1]!;
      return (labels) => key in labels;
    }
    throw new SelectorError(`unable to parse requirement: found '${requirement}', expected: identifier`);
  });
  return (labels) => matchers.every((match) => match(labels));
}

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

/** Parses a `fieldSelector` query value into requirements; which fields are allowed is the caller's rule. */
export function parseFieldSelector(selector: string): FieldRequirement[] {
  if (selector.trim() === '') return [];
  return selector.split(',').map((part) => {
    const m = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(part);
    if (!m) throw new SelectorError(`invalid selector: '${selector}'; can't understand '${part}'`);
    return { field: m[1]!, op: m[2] === '!=' ? '!=' : '=', value: m[3]! };
  });
}
