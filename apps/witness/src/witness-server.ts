/**
 * The witness's HTTP edge on plain node:http rather than NestJS: two routes, a raw text body, exact status codes
 * and a custom content type (text/x.tlog.size) are all the protocol needs, and the API's Nest stack (JSON parsing,
 * authentication, problem+json) would have to be switched off route by route to serve it.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { Witness, WitnessReply } from './witness';

/** A request is a checkpoint note and at most 63 hashes: a few kilobytes. */
export const MAX_BODY_BYTES = 64 * 1024;

export interface WitnessServerOptions {
  witness: Witness;
  verifierKey: string;
  /** Reports unexpected errors (never request bodies: they are public checkpoints, but bounded logs are kinder). */
  onError?: (error: unknown) => void;
}

export function createWitnessServer(options: WitnessServerOptions): Server {
  const server = createServer((request, response) => {
    handle(options, request, response).catch((error: unknown) => {
      options.onError?.(error);
      if (!response.headersSent) send(response, { status: 500, contentType: 'text/plain', body: 'internal error\n' });
      else response.destroy();
    });
  });
  // Slow or stalled clients must not hold the witness's connections forever.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  return server;
}

async function handle(
  options: WitnessServerOptions,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const path = (request.url ?? '/').split('?')[0];
  if (path === '/add-checkpoint') {
    if (request.method !== 'POST') return send(response, methodNotAllowed('POST'));
    const body = await readBody(request, MAX_BODY_BYTES);
    if (body === undefined) {
      return send(response, { status: 413, contentType: 'text/plain', body: 'request body too large\n' });
    }
    return send(response, await options.witness.addCheckpoint(body));
  }
  if (path === '/verifier-key') {
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, methodNotAllowed('GET, HEAD'));
    return send(response, {
      status: 200,
      contentType: 'application/json',
      body: `${JSON.stringify({ name: options.witness.name, verifierKey: options.verifierKey })}\n`,
    });
  }
  send(response, { status: 404, contentType: 'text/plain', body: 'not found\n' });
}

function methodNotAllowed(allow: string): WitnessReply & { allow: string } {
  return { status: 405, contentType: 'text/plain', body: 'method not allowed\n', allow };
}

function send(response: ServerResponse, reply: WitnessReply & { allow?: string }): void {
  response.writeHead(reply.status, {
    'content-type': reply.contentType,
    'content-length': Buffer.byteLength(reply.body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...(reply.allow ? { allow: reply.allow } : {}),
  });
  response.end(reply.body);
}

/** The whole body, or undefined once it passes `limit` (the rest is not read). */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    let done = false;
    request.on('data', (chunk: Buffer) => {
      if (done) return;
      length += chunk.length;
      if (length > limit) {
        done = true;
        resolve(undefined);
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (!done) resolve(Buffer.concat(chunks));
    });
    request.on('error', reject);
  });
}
