/**
 * What the history keeps of a tool result: whether it was an error, what kinds of content
 * it had, the start of its text and small images. Whole results can be megabytes (images,
 * file contents); the timeline needs a glance, not a copy.
 */
import {
  HISTORY_TEXT_PREVIEW_CHARS,
  HISTORY_THUMBNAIL_MAX_BYTES,
  type ResultSummary,
} from '../../../shared/history.ts';
import { redactText } from './redact.ts';

/** The parts of an MCP CallToolResult the summary reads (structural: any SDK version fits). */
export interface ToolResultLike {
  content?: readonly unknown[];
  isError?: boolean;
  structuredContent?: unknown;
}

/** Raster formats only: an SVG data URL can carry script, which a thumbnail has no need for. */
const THUMBNAIL_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
const MAX_THUMBNAILS = 4;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function decodedBytes(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return Math.floor((base64.length * 3) / 4) - padding;
}

/** Cuts to n UTF-16 units without leaving half a surrogate pair at the end. */
function cut(text: string, n: number): string {
  if (text.length <= n) return text;
  const code = text.charCodeAt(n - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? n - 1 : n);
}

export interface SummaryRedaction {
  /** Patterns only, by default (redactText); the store passes its own, which also knows the call's secrets. */
  text?: (text: string) => string;
  /** For structured content, before it is shown as text (key-based redaction). */
  value?: (value: unknown) => unknown;
  patterns?: readonly RegExp[];
}

export function summarizeResult(result: ToolResultLike, options?: SummaryRedaction): ResultSummary {
  const contentTypes: string[] = [];
  const texts: string[] = [];
  const thumbnails: string[] = [];
  let textLength = 0;

  for (const item of result.content ?? []) {
    const block = asRecord(item);
    if (!block) continue;
    const type = typeof block.type === 'string' ? block.type : 'unknown';
    if (!contentTypes.includes(type)) contentTypes.push(type);

    let text: unknown;
    if (type === 'text') text = block.text;
    else if (type === 'resource') text = asRecord(block.resource)?.text;
    // Enough text for the preview even after redaction shortens it; the rest is not read.
    if (typeof text === 'string' && textLength < HISTORY_TEXT_PREVIEW_CHARS * 8) {
      texts.push(text);
      textLength += text.length;
    }

    if (type === 'image' && thumbnails.length < MAX_THUMBNAILS) {
      const { data, mimeType } = block;
      if (
        typeof data === 'string' &&
        typeof mimeType === 'string' &&
        THUMBNAIL_TYPES.has(mimeType) &&
        decodedBytes(data) <= HISTORY_THUMBNAIL_MAX_BYTES &&
        BASE64.test(data)
      ) {
        thumbnails.push(`data:${mimeType};base64,${data}`);
      }
    }
  }

  let text = texts.join('\n');
  if (!text && result.structuredContent !== undefined) {
    const structured = options?.value ? options.value(result.structuredContent) : result.structuredContent;
    text = JSON.stringify(structured) ?? '';
  }
  // Results can echo secrets (a tool that reads a .env file): redact before cutting, so a
  // key cut in half is still recognised.
  const redactPreview = options?.text ?? ((t: string) => redactText(t, options?.patterns ? { patterns: options.patterns } : undefined));
  const preview = cut(redactPreview(cut(text, HISTORY_TEXT_PREVIEW_CHARS * 8)), HISTORY_TEXT_PREVIEW_CHARS);

  const summary: ResultSummary = { isError: result.isError === true, contentTypes, textPreview: preview };
  if (thumbnails.length) summary.thumbnails = thumbnails;
  return summary;
}
