/**
 * From a tool's inputSchema and a call's arguments to the fields of an edit form: which
 * widget each value gets, and pure edits of the arguments by path. Binary values (images,
 * long base64) get a chip instead of their text, so fields after an `images` array stay in
 * reach. What the form cannot represent faithfully gets a JSON field, never a lossy widget.
 */
import { detectImage, type ImageValue } from './images.ts';

export type JsonSchema = Record<string, unknown>;
export type Path = ReadonlyArray<string | number>;

export type FieldKind = 'text' | 'longtext' | 'number' | 'integer' | 'boolean' | 'enum' | 'image' | 'binary' | 'list' | 'object' | 'json';

export interface FieldModel {
  kind: FieldKind;
  /** Key (object property) or index (list item). */
  name: string | number;
  path: Path;
  title?: string | undefined;
  description?: string | undefined;
  required: boolean;
  /** The value in the arguments; undefined when an optional key is absent. */
  value: unknown;
  schema: JsonSchema | undefined;
  /** `enum`: the choices. */
  options?: ReadonlyArray<string | number | boolean | null> | undefined;
  /** `image`: what the chip shows. */
  image?: ImageValue | undefined;
  /** `list`: one model per item; `object`: one per property. */
  children?: FieldModel[] | undefined;
  /** `list`: the schema of new items, and whether "add" can make one (scalars and images). */
  itemSchema?: JsonSchema | undefined;
  canAdd?: boolean | undefined;
  /** `list`/`binary`: images can be added from a file. */
  acceptsImages?: boolean | undefined;
}

const LONG_TEXT = 60;
/** A string this long and all base64 characters is data, not text a person edits. */
const BINARY_MIN = 512;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The schema's type, reduced to one name; nullable unions (["string","null"]) count as the non-null type. */
export function schemaType(schema: JsonSchema | undefined): string | undefined {
  if (!schema) return undefined;
  const type = schema.type;
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) {
    const named = type.filter((t): t is string => typeof t === 'string' && t !== 'null');
    return named.length === 1 ? named[0] : undefined;
  }
  if (Array.isArray(schema.enum)) return 'enum';
  if (schema.properties) return 'object';
  return undefined;
}

function looksBinary(value: string, schema: JsonSchema | undefined): boolean {
  if (typeof schema?.contentEncoding === 'string' && schema.contentEncoding.toLowerCase() === 'base64') return true;
  return value.length >= BINARY_MIN && /^[A-Za-z0-9+/=\s]+$/.test(value.slice(0, 2048)) && !/\s{2}/.test(value.slice(0, 2048));
}

function mentionsImages(schema: JsonSchema | undefined): boolean {
  if (!schema) return false;
  const media = schema.contentMediaType;
  if (typeof media === 'string' && media.startsWith('image/')) return true;
  const text = `${String(schema.description ?? '')} ${String(schema.title ?? '')}`;
  return /\bimage|data url|base64/i.test(text);
}

export function describeField(name: string | number, path: Path, schema: JsonSchema | undefined, value: unknown, required: boolean): FieldModel {
  const base = {
    name,
    path,
    title: typeof schema?.title === 'string' ? schema.title : undefined,
    description: typeof schema?.description === 'string' ? schema.description : undefined,
    required,
    value,
    schema,
  };
  const type = schemaType(schema);

  if (typeof value === 'string') {
    const image = detectImage(value);
    if (image && image.kind !== 'remote') return { ...base, kind: 'image', image };
    if (looksBinary(value, schema)) return { ...base, kind: 'binary', acceptsImages: mentionsImages(schema) };
  }
  if (Array.isArray(schema?.enum) && (value === undefined || (schema.enum as unknown[]).includes(value))) {
    return { ...base, kind: 'enum', options: schema.enum as FieldModel['options'] };
  }
  // A widget only for a value it can show as it is; anything else falls through to JSON.
  const fits = (kind: string) => {
    if (value === undefined) return true;
    return kind === 'integer' ? Number.isInteger(value) : typeof value === kind;
  };

  if ((type === 'string' || (type === undefined && typeof value === 'string')) && fits('string')) {
    const text = typeof value === 'string' ? value : '';
    const long = text.length > LONG_TEXT || text.includes('\n') || (typeof schema?.maxLength === 'number' ? schema.maxLength > 200 : false);
    return { ...base, kind: long ? 'longtext' : 'text' };
  }
  if ((type === 'number' || type === 'integer') && fits(type)) return { ...base, kind: type };
  if (type === undefined && typeof value === 'number') return { ...base, kind: 'number' };
  if ((type === 'boolean' || (type === undefined && typeof value === 'boolean')) && fits('boolean')) return { ...base, kind: 'boolean' };

  if ((type === 'array' || (type === undefined && Array.isArray(value))) && (value === undefined || Array.isArray(value))) {
    const itemSchema = isObject(schema?.items) ? (schema.items as JsonSchema) : undefined;
    const items = (value as unknown[] | undefined) ?? [];
    const children = items.map((item, i) => describeField(i, [...path, i], itemSchema, item, true));
    const itemType = schemaType(itemSchema);
    const canAdd = itemType === 'string' || itemType === 'number' || itemType === 'integer' || itemType === 'boolean' || Array.isArray(itemSchema?.enum);
    const acceptsImages = children.some((c) => c.kind === 'image') || ((itemType === 'string' || itemType === undefined) && (mentionsImages(schema) || mentionsImages(itemSchema)));
    return { ...base, kind: 'list', children, itemSchema, canAdd, acceptsImages };
  }
  if ((type === 'object' || (type === undefined && isObject(value))) && (value === undefined || isObject(value)) && isObject(schema?.properties ?? {})) {
    if (!schema?.properties && schema !== undefined) return { ...base, kind: 'json' };
    return { ...base, kind: 'object', children: formFields(schema, (value as Record<string, unknown> | undefined) ?? {}, path) };
  }
  return { ...base, kind: 'json' };
}

/**
 * The fields of an object: the schema's properties in the schema's order, then keys the
 * arguments have that the schema does not name (shown, so nothing is edited unseen).
 */
export function formFields(schema: JsonSchema | undefined, value: Record<string, unknown>, path: Path = []): FieldModel[] {
  const properties = isObject(schema?.properties) ? (schema.properties as Record<string, JsonSchema>) : {};
  const required = new Set(Array.isArray(schema?.required) ? (schema.required as string[]) : []);
  const keys = [...Object.keys(properties), ...Object.keys(value).filter((k) => !(k in properties))];
  return keys.map((key) => describeField(key, [...path, key], isObject(properties[key]) ? properties[key] : undefined, value[key], required.has(key)));
}

/** A new item for a list of scalars: the first choice, else an empty value of the type. */
export function newItem(itemSchema: JsonSchema | undefined): unknown {
  if (Array.isArray(itemSchema?.enum) && itemSchema.enum.length > 0) return itemSchema.enum[0];
  switch (schemaType(itemSchema)) {
    case 'number':
    case 'integer':
      return 0;
    case 'boolean':
      return false;
    default:
      return '';
  }
}

/** `root` with the value at `path` replaced (undefined removes an object key). Never mutates. */
export function setAt(root: unknown, path: Path, next: unknown): unknown {
  if (path.length === 0) return next;
  const [head, ...rest] = path;
  if (Array.isArray(root) && typeof head === 'number') {
    const copy = [...root];
    copy[head] = setAt(root[head], rest, next);
    return copy;
  }
  const object = isObject(root) ? root : {};
  const child = setAt(object[head as string], rest, next);
  const copy = { ...object };
  if (child === undefined) delete copy[head as string];
  else copy[head as string] = child;
  return copy;
}

/** `root` without the list item or object key at `path`. */
export function removeAt(root: unknown, path: Path): unknown {
  if (path.length === 0) return undefined;
  const parentPath = path.slice(0, -1);
  const last = path[path.length - 1]!;
  const parent = getAt(root, parentPath);
  if (Array.isArray(parent) && typeof last === 'number') return setAt(root, parentPath, parent.filter((_, i) => i !== last));
  return setAt(root, path, undefined);
}

export function getAt(root: unknown, path: Path): unknown {
  let current = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/** Structural equality of JSON values (key order does not matter). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((v, i) => sameJson(v, other[i]));
  }
  const ak = Object.keys(a);
  const bo = b as Record<string, unknown>;
  return ak.length === Object.keys(bo).length && ak.every((k) => k in bo && sameJson((a as Record<string, unknown>)[k], bo[k]));
}

export const pathLabel = (path: Path) => path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
