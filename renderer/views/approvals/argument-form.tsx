/**
 * Editing a pending call's arguments as a form generated from the tool's inputSchema (see
 * lib/schema-form.ts). Images and other binary values are chips (remove, replace, add
 * from a file), never walls of base64, so every field stays in reach. Values the form
 * cannot represent get a small JSON field; the whole call is also editable as JSON in the
 * other tab.
 */
import { useEffect, useId, useState, type ChangeEvent } from 'react';
import { formatBytes } from '../../lib/format.ts';
import { base64Bytes } from '../../lib/images.ts';
import type { ValueProblem } from '../../lib/json-check.ts';
import { formFields, newItem, pathLabel, removeAt, setAt, type FieldModel, type JsonSchema, type Path } from '../../lib/schema-form.ts';

export interface ArgumentFormProps {
  value: Record<string, unknown>;
  schema: JsonSchema | undefined;
  problems: readonly ValueProblem[];
  onChange(next: Record<string, unknown>): void;
  /** A JSON field holds text that does not parse (`invalid`), or no longer does. */
  onInvalid(path: string, invalid: boolean): void;
}

interface FieldContext {
  root: Record<string, unknown>;
  problems: readonly ValueProblem[];
  set(path: Path, value: unknown): void;
  remove(path: Path): void;
  onInvalid(path: string, invalid: boolean): void;
}

const key = (path: Path) => JSON.stringify(path);

export default function ArgumentForm({ value, schema, problems, onChange, onInvalid }: ArgumentFormProps) {
  const fields = formFields(schema, value);
  const ctx: FieldContext = {
    root: value,
    problems,
    set: (path, next) => onChange(setAt(value, path, next) as Record<string, unknown>),
    remove: (path) => onChange(removeAt(value, path) as Record<string, unknown>),
    onInvalid,
  };
  const known = new Set(collectPaths(fields).map(key));
  const loose = problems.filter((p) => !known.has(key(p.path)));
  return (
    <div className="arg-form" role="group" aria-label="Arguments form">
      {fields.length === 0 && <p className="muted">This tool takes no arguments.</p>}
      {fields.map((field) => (
        <FieldView key={String(field.name)} field={field} ctx={ctx} />
      ))}
      {loose.length > 0 && (
        <ul className="problems" role="alert">
          {loose.slice(0, 4).map((p, i) => (
            <li key={i}>{p.message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

function collectPaths(fields: FieldModel[]): Path[] {
  return fields.flatMap((f) => [f.path, ...collectPaths(f.children ?? [])]);
}

function FieldProblems({ field, ctx }: { field: FieldModel; ctx: FieldContext }) {
  const mine = ctx.problems.filter((p) => key(p.path) === key(field.path));
  if (mine.length === 0) return null;
  return (
    <ul className="problems field-problems" role="alert">
      {mine.slice(0, 2).map((p, i) => (
        <li key={i}>{p.message.replace(/^[^:]+: /, '')}</li>
      ))}
    </ul>
  );
}

function FieldView({ field, ctx, onRemove }: { field: FieldModel; ctx: FieldContext; onRemove?: (() => void) | undefined }) {
  const id = useId();
  const label = pathLabel(field.path);
  const optionalEmpty = (v: unknown) => (v === '' && !field.required ? undefined : v);
  const name = typeof field.name === 'number' ? `${field.name + 1}.` : field.name;

  const renderHead = (withRemove: boolean) => (
    <div className="arg-label">
      <label htmlFor={id} className="mono">
        {name}
        {field.required && typeof field.name === 'string' && (
          <span className="required" aria-label="required">
            *
          </span>
        )}
      </label>
      {field.description && (
        <span className="arg-hint" title={field.description}>
          {field.description}
        </span>
      )}
      {withRemove && onRemove && (
        <button type="button" className="icon-button btn btn-ghost btn-small" aria-label={`Remove ${label}`} onClick={onRemove}>
          ×
        </button>
      )}
    </div>
  );

  const head = renderHead(true);

  let control: React.ReactNode;
  switch (field.kind) {
    case 'text':
      control = <input id={id} type="text" value={String(field.value ?? '')} onChange={(e) => ctx.set(field.path, optionalEmpty(e.target.value))} />;
      break;
    case 'longtext': {
      const text = String(field.value ?? '');
      control = <textarea id={id} rows={Math.min(6, Math.max(2, Math.ceil(text.length / 48), text.split('\n').length))} value={text} onChange={(e) => ctx.set(field.path, optionalEmpty(e.target.value))} />;
      break;
    }
    case 'number':
    case 'integer':
      control = (
        <input
          id={id}
          type="number"
          step={field.kind === 'integer' ? 1 : 'any'}
          value={typeof field.value === 'number' ? field.value : ''}
          onChange={(e) => ctx.set(field.path, e.target.value === '' ? undefined : Number(e.target.value))}
        />
      );
      break;
    case 'boolean':
      control = <input id={id} type="checkbox" checked={field.value === true} onChange={(e) => ctx.set(field.path, e.target.checked)} />;
      break;
    case 'enum': {
      const options = field.options ?? [];
      const index = options.findIndex((o) => o === field.value);
      control = (
        <select id={id} value={index < 0 ? '' : String(index)} onChange={(e) => ctx.set(field.path, e.target.value === '' ? undefined : options[Number(e.target.value)])}>
          {(index < 0 || !field.required) && <option value="">{field.required ? 'Choose…' : '(not set)'}</option>}
          {options.map((o, i) => (
            <option key={i} value={String(i)}>
              {String(o)}
            </option>
          ))}
        </select>
      );
      break;
    }
    case 'image':
    case 'binary':
      // In a list the chip stands alone (its remove button inside); a named field keeps its label.
      return (
        <div className="arg-field is-chip">
          {typeof field.name === 'string' && renderHead(false)}
          <BinaryChip
            id={id}
            field={field}
            label={label}
            onReplace={(v) => ctx.set(field.path, v)}
            onRemove={onRemove ?? (typeof field.name === 'string' && !field.required ? () => ctx.set(field.path, undefined) : undefined)}
          />
          <FieldProblems field={field} ctx={ctx} />
        </div>
      );
    case 'list': {
      const items = field.children ?? [];
      return (
        <fieldset className="arg-field arg-list">
          <legend className="mono">
            {field.name}
            {field.required && <span className="required">*</span>} <span className="muted">({items.length})</span>
          </legend>
          {field.description && <span className="arg-hint">{field.description}</span>}
          <div className={`arg-items${items.some((c) => c.kind === 'image' || c.kind === 'binary') ? ' is-chips' : ''}`}>
            {items.map((child) => (
              // Keyed by position and count: removing an item remounts the rest, so no field keeps a neighbour's text.
              <FieldView key={`${String(child.name)}/${items.length}`} field={child} ctx={ctx} onRemove={() => ctx.remove(child.path)} />
            ))}
          </div>
          <div className="arg-list-actions">
            {field.canAdd && !(field.acceptsImages && items.length > 0 && items.every((c) => c.kind === 'image')) && (
              <button type="button" className="btn btn-ghost btn-small" onClick={() => ctx.set([...field.path, items.length], newItem(field.itemSchema))}>
                Add item
              </button>
            )}
            {field.acceptsImages && (
              <FileButton
                label={`Add image to ${label}`}
                text="Add image"
                onFile={(dataUrl) => ctx.set([...field.path, items.length], sameFormat(dataUrl, items))}
              />
            )}
          </div>
          <FieldProblems field={field} ctx={ctx} />
        </fieldset>
      );
    }
    case 'object':
      return (
        <fieldset className="arg-field arg-object">
          <legend className="mono">{field.name}</legend>
          {(field.children ?? []).map((child) => (
            <FieldView key={String(child.name)} field={child} ctx={ctx} />
          ))}
          <FieldProblems field={field} ctx={ctx} />
        </fieldset>
      );
    case 'json':
      control = <JsonField id={id} field={field} ctx={ctx} />;
      break;
  }
  return (
    <div className={`arg-field is-${field.kind}`}>
      {head}
      {control}
      <FieldProblems field={field} ctx={ctx} />
    </div>
  );
}

/** A new image in the format the list already uses: data URLs, or plain base64. */
function sameFormat(dataUrl: string, items: FieldModel[]): string {
  const plain = items.some((i) => typeof i.value === 'string' && !i.value.startsWith('data:'));
  return plain ? dataUrl.slice(dataUrl.indexOf(',') + 1) : dataUrl;
}

function BinaryChip({ id, field, label, onReplace, onRemove }: { id: string; field: FieldModel; label: string; onReplace(v: string): void; onRemove: (() => void) | undefined }) {
  const image = field.image;
  const text = String(field.value ?? '');
  const caption =
    image?.kind === 'data'
      ? `${image.mime.replace('image/', '').toUpperCase()} · ${formatBytes(image.bytes)}`
      : image?.kind === 'cut'
        ? `${image.mime.replace('image/', '').toUpperCase()} · shortened`
        : `base64 · ${formatBytes(base64Bytes(text))}`;
  return (
    <span className="binary-chip" id={id} role="group" aria-label={`${label} ${image ? 'image' : 'binary data'}`}>
      {image?.kind === 'data' ? <img src={image.src} alt="" /> : <span className="binary-icon" aria-hidden="true">01</span>}
      <span className="binary-caption">{caption}</span>
      {(image || field.acceptsImages) && <FileButton label={`Replace ${label}`} text="Replace" onFile={(dataUrl) => onReplace(text.startsWith('data:') ? dataUrl : dataUrl.slice(dataUrl.indexOf(',') + 1))} />}
      {onRemove && (
        <button type="button" className="btn btn-ghost btn-small icon-button" aria-label={`Remove ${label}`} title="Remove" onClick={onRemove}>
          ×
        </button>
      )}
    </span>
  );
}

function FileButton({ label, text, onFile }: { label: string; text: string; onFile(dataUrl: string): void }) {
  const pick = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    const reader = new FileReader();
    reader.onload = () => typeof reader.result === 'string' && onFile(reader.result);
    reader.readAsDataURL(file);
  };
  return (
    <label className="btn btn-ghost btn-small file-button">
      {text}
      <input type="file" accept="image/*" aria-label={label} onChange={pick} />
    </label>
  );
}

/** A value the form has no widget for, edited as JSON text; reports text that does not parse. */
function JsonField({ id, field, ctx }: { id: string; field: FieldModel; ctx: FieldContext }) {
  const [text, setText] = useState(() => (field.value === undefined ? '' : JSON.stringify(field.value, null, 2)));
  const [bad, setBad] = useState(false);
  const pathKey = key(field.path);
  const { onInvalid } = ctx;
  useEffect(() => () => onInvalid(pathKey, false), [onInvalid, pathKey]);
  const change = (next: string) => {
    setText(next);
    if (next.trim() === '') {
      setBad(false);
      onInvalid(pathKey, false);
      ctx.set(field.path, undefined);
      return;
    }
    try {
      const parsed = JSON.parse(next) as unknown;
      setBad(false);
      onInvalid(pathKey, false);
      ctx.set(field.path, parsed);
    } catch {
      setBad(true);
      onInvalid(pathKey, true);
    }
  };
  return (
    <>
      <textarea id={id} className="mono arg-json" rows={Math.min(6, text.split('\n').length + 1)} value={text} aria-invalid={bad} onChange={(e) => change(e.target.value)} />
      {bad && <p className="hint notice-error">Not valid JSON yet.</p>}
    </>
  );
}
