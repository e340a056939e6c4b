import type { z } from 'zod';

/** One line per issue, each prefixed by the JSON path it is about. */
export function formatZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? '/' + issue.path.join('/') : '(root)'}: ${issue.message}`)
    .join('; ');
}
