/**
 * The approval desk's pure pieces, run in Node: from a tool's inputSchema and a call's
 * arguments to the edit form's fields (binary values as chips, unknown shapes as JSON),
 * edits by path that never mutate the call, the form's schema check, and which waiting
 * calls count as identical.
 */
import { describe, expect, it } from 'vitest';
import type { PendingCall } from '../../shared/api/contract.ts';
import { singleNotification, summaryNotification } from '../../shared/pending-notification.ts';
import { demoPng } from '../../main/demo/image-server.ts';
import { checkValue } from '../../renderer/lib/json-check.ts';
import { identicalCalls } from '../../renderer/lib/pending-queue.ts';
import { formFields, newItem, removeAt, sameJson, setAt } from '../../renderer/lib/schema-form.ts';

const IMAGE = demoPng(8, 8, 'form');
const BASE64 = IMAGE.slice(IMAGE.indexOf(',') + 1);

const SCHEMA = {
  type: 'object',
  properties: {
    prompt: { type: 'string', description: 'What to draw', minLength: 1 },
    images: { type: 'array', items: { type: 'string' }, minItems: 1, description: 'Input images: data URLs or base64 PNGs' },
    size: { type: 'string', enum: ['1K', '2K', '4K'] },
    steps: { type: 'integer' },
    strength: { type: 'number' },
    seed: { type: ['integer', 'null'] },
    hd: { type: 'boolean' },
    tags: { type: 'array', items: { type: 'string' } },
    options: { type: 'object', properties: { style: { type: 'string' } } },
    extra: { type: 'object', additionalProperties: true },
    anything: {},
  },
  required: ['prompt', 'images'],
};

describe('schema → form fields', () => {
  it('gives each property the widget its schema and value call for, in the schema order, then unknown keys', () => {
    const fields = formFields(SCHEMA, {
      prompt: 'a fox',
      images: [IMAGE, BASE64],
      size: '2K',
      steps: 20,
      strength: 0.5,
      hd: true,
      tags: ['a'],
      options: { style: 'oil' },
      extra: { x: 1 },
      anything: [1, { a: 2 }],
      unlisted: 'kept',
    });
    expect(fields.map((f) => [f.name, f.kind])).toEqual([
      ['prompt', 'text'],
      ['images', 'list'],
      ['size', 'enum'],
      ['steps', 'integer'],
      ['strength', 'number'],
      ['seed', 'integer'],
      ['hd', 'boolean'],
      ['tags', 'list'],
      ['options', 'object'],
      ['extra', 'json'],
      ['anything', 'list'],
      ['unlisted', 'text'],
    ]);
    expect(fields.find((f) => f.name === 'prompt')).toMatchObject({ required: true, description: 'What to draw' });
    expect(fields.find((f) => f.name === 'size')?.options).toEqual(['1K', '2K', '4K']);
    expect(fields.find((f) => f.name === 'seed')).toMatchObject({ required: false, value: undefined });
  });

  it('shows images (data URLs and plain base64) as image chips, and offers adding one from a file', () => {
    const [, images] = formFields(SCHEMA, { prompt: 'x', images: [IMAGE, BASE64] });
    expect(images!.children!.map((c) => [c.path, c.kind, c.image?.kind])).toEqual([
      [['images', 0], 'image', 'data'],
      [['images', 1], 'image', 'data'],
    ]);
    expect(images!.acceptsImages).toBe(true);
  });

  it('shows long base64 that is not an image as a binary chip, not as text', () => {
    const blob = Buffer.alloc(3000, 7).toString('base64');
    const [field] = formFields({ type: 'object', properties: { file: { type: 'string', contentEncoding: 'base64' }, raw: { type: 'string' } } }, { file: 'AAAA', raw: blob });
    expect(field!.kind).toBe('binary');
    expect(formFields({ type: 'object', properties: { raw: { type: 'string' } } }, { raw: blob })[0]!.kind).toBe('binary');
  });

  it('long or multi-line text gets a text area; a value of the wrong type falls back to JSON rather than a lossy widget', () => {
    const fields = formFields(SCHEMA, { prompt: 'line one\nline two', images: [IMAGE], steps: 'twenty', size: '8K' });
    expect(fields.find((f) => f.name === 'prompt')?.kind).toBe('longtext');
    expect(fields.find((f) => f.name === 'steps')?.kind).toBe('json');
    // A value outside the enum is not silently replaced by the first choice.
    expect(fields.find((f) => f.name === 'size')?.kind).toBe('text');
  });

  it('without a schema the arguments themselves decide the widgets', () => {
    expect(formFields(undefined, { a: 'x', b: 2, c: false, d: [1], e: { f: 'g' } }).map((f) => f.kind)).toEqual(['text', 'number', 'boolean', 'list', 'object']);
  });

  it('new list items follow the item schema', () => {
    expect([newItem({ type: 'string' }), newItem({ type: 'integer' }), newItem({ type: 'boolean' }), newItem({ enum: ['b', 'c'] })]).toEqual(['', 0, false, 'b']);
  });
});

describe('edits by path', () => {
  const args = { prompt: 'a', images: ['x', 'y', 'z'], options: { style: 'oil' } };

  it('set, add and remove return new values and leave the call untouched', () => {
    const before = JSON.stringify(args);
    expect(setAt(args, ['prompt'], 'b')).toEqual({ ...args, prompt: 'b' });
    expect(setAt(args, ['images', 3], 'w')).toEqual({ ...args, images: ['x', 'y', 'z', 'w'] });
    expect(setAt(args, ['options', 'style'], undefined)).toEqual({ ...args, options: {} });
    expect(setAt(args, ['seed'], 5)).toEqual({ ...args, seed: 5 });
    expect(removeAt(args, ['images', 1])).toEqual({ ...args, images: ['x', 'z'] });
    expect(removeAt(args, ['prompt'])).toEqual({ images: args.images, options: args.options });
    expect(JSON.stringify(args)).toBe(before);
  });

  it('compares JSON values regardless of key order', () => {
    expect(sameJson({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(sameJson({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(sameJson([1, 2], [2, 1])).toBe(false);
    expect(sameJson({ a: null }, { a: {} })).toBe(false);
  });
});

describe("the form's schema check", () => {
  it('locates problems at the offending field', () => {
    const result = checkValue({ prompt: '', images: [] }, SCHEMA);
    expect(result.ok).toBe(false);
    const paths = result.ok ? [] : result.problems.map((p) => p.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['prompt', 'images']));
    expect(checkValue({ prompt: 'x', images: [IMAGE] }, SCHEMA)).toEqual({ ok: true });
  });
});

describe('identical waiting calls', () => {
  const call = (id: string, over: Partial<PendingCall> = {}): PendingCall => ({
    id,
    historyId: `h${id}`,
    server: 'images',
    tool: 'image_to_image',
    arguments: { prompt: 'p', size: '1K' },
    client: { id: 'agent-a', name: 'Agent A' },
    sessionId: `s${id}`,
    rule: '/tools/image_to_image',
    createdAt: Number(id),
    expiresAt: Number(id) + 1000,
    ...over,
  });

  it('same server, tool, caller and arguments (in any key order) count; another caller or argument does not', () => {
    const shown = call('1');
    const others = [
      call('2', { arguments: { size: '1K', prompt: 'p' } }),
      call('3', { client: { id: 'agent-b', name: 'Agent A' } }),
      call('4', { arguments: { prompt: 'q', size: '1K' } }),
      call('5', { server: 'other' }),
      call('6', { sessionId: 'another session' }),
    ];
    expect(identicalCalls(shown, others).map((c) => c.id)).toEqual(['2', '6']);
  });

  it('notifications name the tool and the caller, never the arguments', () => {
    const secret = call('7', { arguments: { prompt: 'the secret plan' } });
    const single = singleNotification(secret);
    expect(single.title).toContain('image_to_image');
    expect(single.body).toContain('Agent A');
    expect(JSON.stringify([single, summaryNotification([secret, call('8')])])).not.toContain('secret plan');
  });
});
