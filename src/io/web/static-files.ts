/**
 * Files the server hands out as they are in the installed package (the chart library, the
 * page's script and style): never from a CDN, since lab networks are often offline.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** The Content-Type for a file name, by its extension. */
export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

interface Loaded {
  readonly body: Buffer;
  readonly etag: string;
}

/**
 * A handler serving one file. It is read on first request and kept (these are a few small
 * files from the package, so the memory is fixed); the ETag lets a reloading browser skip
 * the body.
 */
export function staticFile(
  file: string,
  contentType: string = contentTypeOf(file),
): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  let loaded: Promise<Loaded> | undefined;
  return async (request, response) => {
    loaded ??= readFile(file).then((body) => ({
      body,
      etag: `"${createHash('sha1').update(body).digest('base64url')}"`,
    }));
    let served: Loaded;
    try {
      served = await loaded;
    } catch (err) {
      loaded = undefined;
      throw err;
    }
    response.setHeader('ETag', served.etag);
    response.setHeader('Cache-Control', 'no-cache');
    if (request.headers['if-none-match'] === served.etag) {
      response.writeHead(304).end();
      return;
    }
    response.writeHead(200, {
      'Content-Type': contentType,
      'Content-Length': served.body.byteLength,
    });
    response.end(request.method === 'HEAD' ? undefined : served.body);
  };
}
