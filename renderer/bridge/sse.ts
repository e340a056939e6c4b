/**
 * A server-sent-events parser for a fetch body. EventSource cannot send an Authorization
 * header, and the admin token must not travel in a URL (URLs end up in logs and history),
 * so the event stream is read with fetch and parsed here. Only `data:` fields matter to
 * Airlock; comments (`: keep-alive`) and other fields are skipped.
 */
export function createSseParser(onData: (data: string) => void): (chunk: string) => void {
  let buffer = '';
  let data: string[] = [];
  return (chunk) => {
    buffer += chunk;
    for (;;) {
      const match = /\r\n|\n|\r/.exec(buffer);
      if (!match) return;
      // A lone trailing "\r" may be the first half of "\r\n": wait for the next chunk.
      if (match[0] === '\r' && match.index === buffer.length - 1) return;
      const line = buffer.slice(0, match.index);
      buffer = buffer.slice(match.index + match[0].length);
      if (line === '') {
        if (data.length > 0) onData(data.join('\n'));
        data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') data.push(value);
    }
  };
}
