/**
 * Arguments as a person reads them: one row per key, long text folded, nested objects
 * and arrays expandable, images previewed (see image-preview.tsx), and the raw JSON one
 * click away.
 */
import { useId, useState } from 'react';
import { detectImage } from '../lib/images.ts';
import { ImagePreview } from './image-preview.tsx';

const FOLD_CHARS = 280;
const FOLD_LINES = 6;
/** Containers deeper than this start collapsed. */
const OPEN_DEPTH = 2;

function LongText({ text }: { text: string }) {
  const [open, setOpen] = useState(false);
  const lines = text.split('\n');
  const foldable = text.length > FOLD_CHARS || lines.length > FOLD_LINES;
  if (!foldable) return <span className="v-string">{text}</span>;
  const shown = open ? text : lines.slice(0, FOLD_LINES).join('\n').slice(0, FOLD_CHARS);
  return (
    <span className="v-string">
      {shown}
      {!open && '…'}{' '}
      <button type="button" className="link-button" aria-expanded={open} onClick={() => setOpen((v) => !v)}>
        {open ? 'Show less' : `Show all ${text.length.toLocaleString()} characters`}
      </button>
    </span>
  );
}

function Scalar({ value }: { value: unknown }) {
  if (value === null) return <code className="v-null">null</code>;
  if (typeof value === 'number') return <code className="v-number">{String(value)}</code>;
  if (typeof value === 'boolean') return <code className="v-bool">{String(value)}</code>;
  return <code className="v-other">{JSON.stringify(value) ?? String(value)}</code>;
}

export function ValueView({ value, name, depth = 0 }: { value: unknown; name: string; depth?: number }) {
  if (typeof value === 'string') {
    const image = detectImage(value);
    if (image) return <ImagePreview image={image} label={`${name} image`} />;
    return <LongText text={value} />;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return <code className="v-other">[]</code>;
    const simple = value.every((v) => v === null || ['number', 'boolean'].includes(typeof v) || (typeof v === 'string' && v.length < 40 && !detectImage(v)));
    if (simple && value.length <= 12) {
      return (
        <span className="v-inline-list">
          {value.map((v, i) => (
            <span key={i} className="chip">
              {typeof v === 'string' ? v : <Scalar value={v} />}
            </span>
          ))}
        </span>
      );
    }
    return (
      <details className="v-container" open={depth < OPEN_DEPTH}>
        <summary>
          {value.length} {value.length === 1 ? 'item' : 'items'}
        </summary>
        <dl className="v-fields">
          {value.map((item, i) => (
            <Field key={i} name={`${i}`} label={`${name}[${i}]`} value={item} depth={depth + 1} />
          ))}
        </dl>
      </details>
    );
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) return <code className="v-other">{'{}'}</code>;
    return (
      <details className="v-container" open={depth < OPEN_DEPTH}>
        <summary>
          {entries.length} {entries.length === 1 ? 'field' : 'fields'}
        </summary>
        <dl className="v-fields">
          {entries.map(([key, item]) => (
            <Field key={key} name={key} label={`${name}.${key}`} value={item} depth={depth + 1} />
          ))}
        </dl>
      </details>
    );
  }
  return <Scalar value={value} />;
}

function Field({ name, label, value, depth, hint }: { name: string; label: string; value: unknown; depth: number; hint?: string | undefined }) {
  return (
    <div className="v-field">
      <dt title={hint}>{name}</dt>
      <dd>
        <ValueView value={value} name={label} depth={depth} />
      </dd>
    </div>
  );
}

/** Pretty JSON for reading, with very long strings (image data, file contents) shortened. */
export function readableJson(value: unknown, maxString = 600): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) => (typeof v === 'string' && v.length > maxString ? `${v.slice(0, 120)}… (${v.length.toLocaleString()} characters)` : v),
    2,
  );
}

/** The top level of a call's arguments, with the schema's descriptions as hints. */
export function ArgumentsView({
  args,
  schema,
  label = 'Arguments',
  actions,
}: {
  args: Record<string, unknown>;
  schema?: Record<string, unknown> | undefined;
  label?: string;
  /** Extra buttons in the heading (e.g. the approval card's "Edit arguments"). */
  actions?: React.ReactNode;
}) {
  const [raw, setRaw] = useState(false);
  const id = useId();
  const properties = (schema?.properties ?? {}) as Record<string, { description?: unknown }>;
  const entries = Object.entries(args);
  return (
    <section className="arguments" aria-labelledby={id}>
      <div className="section-head">
        <h3 id={id}>{label}</h3>
        <span className="spacer" />
        <button type="button" className="btn btn-ghost btn-small" aria-pressed={raw} onClick={() => setRaw((v) => !v)}>
          {raw ? 'Structured' : 'JSON'}
        </button>
        {actions}
      </div>
      {raw ? (
        <pre className="code-block" tabIndex={0} aria-label={`${label} as JSON`}>
          {readableJson(args)}
        </pre>
      ) : entries.length === 0 ? (
        <p className="muted">No arguments.</p>
      ) : (
        <dl className="v-fields v-top">
          {entries.map(([key, value]) => (
            <Field key={key} name={key} label={key} value={value} depth={0} hint={typeof properties[key]?.description === 'string' ? (properties[key].description as string) : undefined} />
          ))}
        </dl>
      )}
    </section>
  );
}
