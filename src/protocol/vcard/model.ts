/**
 * The typed vCard: its version, the ordered list of properties exactly as
 * parsed (group, upper-case name, parameters, decoded value; nothing is
 * dropped, unknown and X- properties included), cards nested inside it, and
 * read-only accessors for the fields a phone book needs (names, numbers,
 * emails, addresses, organisation, photo, call-history time and kind).
 */

export type VcardVersion = '2.1' | '3.0' | '4.0';

/** A parameter: upper-case name, values as written (a parameter name occurs once per property). */
export interface VcardParam {
  name: string;
  values: string[];
}

/**
 * A decoded value: text; for structured and list properties (see
 * `valueShape`) the components, each a list of values; bytes for values
 * stored as base64.
 */
export type VcardValue = string | string[][] | Uint8Array;

export interface VcardProperty {
  /** The group prefix (`item1` in `item1.EMAIL`), as written. */
  group?: string | undefined;
  /** Upper-case property name. */
  name: string;
  /** Parameters other than ENCODING and CHARSET, which the codec applies and the writer chooses itself. */
  params: VcardParam[];
  value: VcardValue;
}

/** Call kinds of X-IRMC-CALL-DATETIME; other kinds survive as written (upper-cased). */
export const CallKind = { Missed: 'MISSED', Received: 'RECEIVED', Dialed: 'DIALED' } as const;

export interface VcardName {
  family: string;
  given: string;
  additional: string;
  prefixes: string;
  suffixes: string;
}

export interface VcardTel {
  number: string;
  /** Upper-case TYPE values other than PREF (`CELL`, `HOME`, Android's numeric `0`, ...). */
  types: string[];
  pref: boolean;
}

export interface VcardEmail {
  address: string;
  types: string[];
  pref: boolean;
}

export interface VcardAddress {
  poBox: string;
  extended: string;
  street: string;
  locality: string;
  region: string;
  postalCode: string;
  country: string;
  types: string[];
  pref: boolean;
}

export interface VcardOrg {
  name: string;
  units: string[];
}

export interface VcardPhoto {
  bytes: Uint8Array;
  /** The TYPE (2.1/3.0) or media type (4.0 data: URI) as written, e.g. `JPEG`. */
  type: string | undefined;
}

export interface VcardCall {
  /** `MISSED`, `RECEIVED`, `DIALED` (see CallKind), another upper-case kind, or undefined when none is given. */
  kind: string | undefined;
  /** The date-time as written, e.g. `20170101T010100`. */
  time: string;
}

const STRUCTURED = new Set(['N', 'ADR', 'ORG', 'GENDER', 'CLIENTPIDMAP', 'X-ANDROID-CUSTOM']);
const LIST_COMPONENTS = new Set(['N', 'ADR']);
const LISTS = new Set(['NICKNAME', 'CATEGORIES']);

/**
 * How the value of a property is shaped: `structured` values split on `;`
 * into components (N, ADR, ORG, GENDER, CLIENTPIDMAP, X-ANDROID-CUSTOM),
 * `list` values split on `,` in 3.0 and 4.0 (NICKNAME, CATEGORIES), the
 * rest is text. Values stored as base64 are bytes whatever their name.
 */
export function valueShape(name: string): 'text' | 'structured' | 'list' {
  if (STRUCTURED.has(name)) return 'structured';
  return LISTS.has(name) ? 'list' : 'text';
}

/** True for structured properties whose components are themselves comma lists in 3.0 and 4.0 (N, ADR). */
export function hasListComponents(name: string): boolean {
  return LIST_COMPONENTS.has(name);
}

/** A property from plain arguments: `prop('TEL', '+1 555', { TYPE: ['CELL', 'PREF'] })`. */
export function prop(
  name: string,
  value: VcardValue,
  params: Record<string, string | string[]> = {},
  group?: string,
): VcardProperty {
  const list: VcardParam[] = Object.entries(params).map(([k, v]) => ({
    name: k.toUpperCase(),
    values: Array.isArray(v) ? [...v] : [v],
  }));
  const property: VcardProperty = { name: name.toUpperCase(), params: list, value };
  if (group !== undefined) property.group = group;
  return property;
}

/** The values of parameter `name` (upper-case) on `property`, or an empty list. */
export function paramValues(property: VcardProperty, name: string): string[] {
  for (const param of property.params) if (param.name === name) return param.values;
  return [];
}

/** The value as one string: text as is, components joined by `;` and their values by `,`, bytes as ''. */
export function valueText(value: VcardValue): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return '';
  return value.map((component) => component.join(',')).join(';');
}

/** Component `index` of a value (its list values joined by `,`), '' when absent. */
export function component(value: VcardValue, index: number): string {
  if (typeof value === 'string') return index === 0 ? value : '';
  if (value instanceof Uint8Array) return '';
  const values = value[index];
  return values === undefined ? '' : values.join(',');
}

function typesOf(property: VcardProperty): { types: string[]; pref: boolean } {
  const types: string[] = [];
  let pref = false;
  for (const raw of paramValues(property, 'TYPE')) {
    const type = raw.toUpperCase();
    if (type === 'PREF') pref = true;
    else types.push(type);
  }
  if (paramValues(property, 'PREF').length > 0) pref = true;
  return { types, pref };
}

export class Vcard {
  constructor(
    public version: VcardVersion,
    /** Every property in order, VERSION, BEGIN and END excluded. */
    public properties: VcardProperty[] = [],
    /** Cards nested inside this one (2.1 AGENT and similar), in order. */
    public nested: Vcard[] = [],
  ) {}

  /** All properties called `name` (any case). */
  all(name: string): VcardProperty[] {
    const upper = name.toUpperCase();
    return this.properties.filter((p) => p.name === upper);
  }

  /** The first property called `name` (any case). */
  first(name: string): VcardProperty | undefined {
    const upper = name.toUpperCase();
    return this.properties.find((p) => p.name === upper);
  }

  private firstText(name: string): string | undefined {
    const p = this.first(name);
    return p === undefined ? undefined : valueText(p.value);
  }

  get formattedName(): string | undefined {
    return this.firstText('FN');
  }

  get name(): VcardName | undefined {
    const n = this.first('N');
    if (n === undefined) return undefined;
    return {
      family: component(n.value, 0),
      given: component(n.value, 1),
      additional: component(n.value, 2),
      prefixes: component(n.value, 3),
      suffixes: component(n.value, 4),
    };
  }

  get tel(): VcardTel[] {
    return this.all('TEL').map((p) => {
      let number = valueText(p.value);
      if (/^tel:/i.test(number)) number = number.slice(4);
      return { number, ...typesOf(p) };
    });
  }

  get email(): VcardEmail[] {
    return this.all('EMAIL').map((p) => ({ address: valueText(p.value), ...typesOf(p) }));
  }

  get adr(): VcardAddress[] {
    return this.all('ADR').map((p) => ({
      poBox: component(p.value, 0),
      extended: component(p.value, 1),
      street: component(p.value, 2),
      locality: component(p.value, 3),
      region: component(p.value, 4),
      postalCode: component(p.value, 5),
      country: component(p.value, 6),
      ...typesOf(p),
    }));
  }

  get org(): VcardOrg | undefined {
    const p = this.first('ORG');
    if (p === undefined) return undefined;
    const value = p.value;
    const count = typeof value === 'string' || value instanceof Uint8Array ? 1 : value.length;
    const units: string[] = [];
    for (let i = 1; i < count; i++) units.push(component(value, i));
    return { name: component(value, 0), units };
  }

  get title(): string | undefined {
    return this.firstText('TITLE');
  }

  get note(): string | undefined {
    return this.firstText('NOTE');
  }

  get uid(): string | undefined {
    return this.firstText('UID');
  }

  get bday(): string | undefined {
    return this.firstText('BDAY');
  }

  /** The first PHOTO held inline: base64 bytes, or a 4.0 `data:` URI with base64 content. */
  get photo(): VcardPhoto | undefined {
    for (const p of this.all('PHOTO')) {
      const type = paramValues(p, 'TYPE')[0] ?? paramValues(p, 'MEDIATYPE')[0];
      if (p.value instanceof Uint8Array) return { bytes: p.value, type };
      const text = valueText(p.value);
      const match = /^data:([^;,]*)((?:;[^;,]*)*);base64,/i.exec(text.slice(0, 256));
      if (match !== null) {
        return { bytes: Buffer.from(text.slice(match[0].length), 'base64'), type: type ?? (match[1] || undefined) };
      }
    }
    return undefined;
  }

  /** The call-history entry (X-IRMC-CALL-DATETIME) of a PBAP call log card. */
  get call(): VcardCall | undefined {
    const p = this.first('X-IRMC-CALL-DATETIME');
    if (p === undefined) return undefined;
    const kind = paramValues(p, 'TYPE')[0];
    return { kind: kind === undefined ? undefined : kind.toUpperCase(), time: valueText(p.value).trim() };
  }

  /** Properties whose name starts with `X-`, in order. */
  get extensions(): VcardProperty[] {
    return this.properties.filter((p) => p.name.startsWith('X-'));
  }
}
