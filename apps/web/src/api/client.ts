/**
 * The JSON API on the same origin. Errors arrive as problem+json (RFC 9457) with a stable `code` and, for
 * validation failures, one entry per bad field; `ApiError` carries both so forms can show the message next to the
 * field it concerns, in Indonesian.
 */
import { hasMessage, t } from '../i18n';

export interface FieldProblem {
  field: string;
  code: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    /** The server's English detail, kept for the console and for codes without an Indonesian text. */
    readonly detail: string,
    readonly fields: readonly FieldProblem[] = [],
    readonly body: Record<string, unknown> = {},
  ) {
    super(detail || code);
    this.name = 'ApiError';
  }

  /** Plain Indonesian for the person at the screen. */
  get userMessage(): string {
    const key = `error.${this.code}`;
    if (hasMessage(key)) return t(key);
    if (this.status === 0) return t('error.network');
    return t('error.unknown', { code: this.code });
  }

  /** The problems of one field (`nik`, `members[0].nik`, ...). */
  fieldMessages(field: string): string[] {
    return this.fields
      .filter((problem) => problem.field === field || problem.field.startsWith(`${field}.`))
      .map((problem) => fieldMessage(problem));
  }
}

/** A field problem in Indonesian: by its rule code when the catalogue knows it, otherwise the generic one. */
export function fieldMessage(problem: FieldProblem): string {
  const key = `field.${problem.code}`;
  return hasMessage(key) ? t(key) : t('error.VALIDATION_FAILED');
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  /** Raw body (a file), sent as is with `contentType`. */
  raw?: Blob | ArrayBuffer;
  contentType?: string;
  headers?: Record<string, string>;
  /** Whether the call needs the signed-in user's token (default: yes when one is held). */
  anonymous?: boolean;
  /** `blob`: the answer's bytes as they are (PDF, XLSX); otherwise JSON, or text for other types. */
  responseType?: 'data' | 'blob';
  signal?: AbortSignal;
}

type TokenSource = { accessToken(): Promise<string | undefined>; onUnauthorized(): void };
let tokens: TokenSource = { accessToken: () => Promise.resolve(undefined), onUnauthorized: () => undefined };

/** The session module registers how to obtain a fresh access token. */
export function setTokenSource(source: TokenSource): void {
  tokens = source;
}

export interface ApiResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

export async function call<T>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  const token = options.anonymous ? undefined : await tokens.accessToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let body: BodyInit | undefined;
  if (options.raw !== undefined) {
    body = options.raw;
    headers['Content-Type'] = options.contentType ?? 'application/octet-stream';
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['Content-Type'] = 'application/json';
  }
  let response: Response;
  try {
    response = await fetch(path, { method: options.method ?? 'GET', headers, body, signal: options.signal });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'NETWORK', String(error));
  }
  const type = response.headers.get('Content-Type') ?? '';
  if (response.ok && options.responseType === 'blob') {
    return { status: response.status, body: (await response.blob()) as T, headers: response.headers };
  }
  const parsed: unknown = type.includes('json') ? await response.json().catch(() => ({})) : await response.text();
  if (!response.ok) {
    const problem = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
    if (response.status === 401 && !options.anonymous) tokens.onUnauthorized();
    throw new ApiError(
      response.status,
      typeof problem.code === 'string' ? problem.code : `HTTP_${response.status}`,
      typeof problem.detail === 'string' ? problem.detail : '',
      Array.isArray(problem.errors) ? (problem.errors as FieldProblem[]) : [],
      problem,
    );
  }
  return { status: response.status, body: parsed as T, headers: response.headers };
}

export const api = {
  get: <T>(path: string, options: RequestOptions = {}) => call<T>(path, options).then((r) => r.body),
  post: <T>(path: string, body?: unknown, options: RequestOptions = {}) =>
    call<T>(path, { ...options, method: 'POST', body }).then((r) => r.body),
};

/** A query string from the defined values only. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** Fetches a file the API serves (with the user's token) and hands it to the browser as a download. */
export async function downloadFile(path: string, fileName: string, accept = '*/*'): Promise<void> {
  const { body } = await call<Blob>(path, { responseType: 'blob', headers: { Accept: accept } });
  const url = URL.createObjectURL(body);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked later: some browsers start reading the object URL only after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
