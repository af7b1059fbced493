/// <reference lib="dom" />
/**
 * The pages' only way to the server: the REST API under /api/v1 with the bearer token kept in
 * sessionStorage (gone when the tab closes). Every error becomes an ApiError carrying an RFC 9457
 * problem, so pages show the server's own title and detail, never a bare status code.
 */

export const API_BASE = '/api/v1';
const TOKEN_KEY = 'salvage.token';

/** An RFC 9457 problem as the API sends it (application/problem+json). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  requestId?: string;
  /** VALIDATION_FAILED: every issue. */
  errors?: { where: string; path: string; message: string }[];
  /** QUERY_INVALID: 0-based offset of the offending character. */
  position?: number;
  /** RATE_LIMITED: seconds to wait (also the Retry-After header). */
  retryAfterSeconds?: number;
  [extension: string]: unknown;
}

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(readonly problem: Problem) {
    super(problem.detail || problem.title);
  }
  get status(): number {
    return this.problem.status;
  }
  get code(): string {
    return this.problem.code;
  }
}

export const session = {
  token(): string | null {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set(token: string): void {
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  clear(): void {
    sessionStorage.removeItem(TOKEN_KEY);
  },
};

/** Fired on window when the server refuses the token (401): pages go back to sign-in. */
export const SIGNED_OUT_EVENT = 'salvage:signed-out';

export type Query = Record<string, string | number | boolean | undefined | null>;

export function urlOf(path: string, query: Query = {}): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') {
      qs.set(k, String(v));
    }
  }
  const s = qs.toString();
  return `${API_BASE}${path}${s ? `?${s}` : ''}`;
}

/** A path segment: mailbox addresses and folder names are user data. */
export const seg = (s: string | number): string => encodeURIComponent(String(s));

async function problemOf(res: Response): Promise<Problem> {
  const text = await res.text().catch(() => '');
  let body: Partial<Problem> = {};
  try {
    body = JSON.parse(text) as Partial<Problem>;
  } catch {
    // not JSON (a proxy's page, say): described below from the status line
  }
  const retry = Number(res.headers.get('Retry-After'));
  return {
    ...body,
    type: body.type ?? 'about:blank',
    title: body.title ?? (res.statusText || `HTTP ${res.status}`),
    status: body.status ?? res.status,
    detail: body.detail ?? '',
    code: body.code ?? `HTTP_${res.status}`,
    ...(Number.isFinite(retry) && retry > 0 ? { retryAfterSeconds: body.retryAfterSeconds ?? retry } : {}),
  };
}

async function send(method: string, path: string, query?: Query, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' };
  const token = session.token();
  if (token) {
    headers.Authorization = `Bearer ${token}`;
  }
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  let res: Response;
  try {
    res = await fetch(urlOf(path, query), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch (err) {
    throw new ApiError({
      type: 'about:blank',
      title: 'Cannot reach Salvage',
      status: 0,
      detail: `The request did not reach the server (${err instanceof Error ? err.message : String(err)}).`,
      code: 'NETWORK',
    });
  }
  if (!res.ok) {
    const problem = await problemOf(res);
    if (res.status === 401) {
      window.dispatchEvent(new CustomEvent(SIGNED_OUT_EVENT, { detail: problem }));
    }
    throw new ApiError(problem);
  }
  return res;
}

/** Call the API and parse its JSON answer. @throws ApiError */
export async function api<T>(
  path: string,
  opts: { method?: string; query?: Query; body?: unknown } = {},
): Promise<T> {
  const res = await send(
    opts.method ?? (opts.body === undefined ? 'GET' : 'POST'),
    path,
    opts.query,
    opts.body,
  );
  return res.status === 204 ? (undefined as T) : ((await res.json()) as T);
}

/** Download a binary answer (raw message, attachment) and save it under its server-given name. */
export async function download(path: string, fallbackName: string): Promise<void> {
  const res = await send('GET', path);
  const disposition = res.headers.get('Content-Disposition') ?? '';
  const m = /filename\*=UTF-8''([^;]+)|filename="([^"]+)"/i.exec(disposition);
  const name = m ? decodeURIComponent(m[1] ?? m[2] ?? fallbackName) : fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Any thrown value as a problem (a bug in the page is shown too, not swallowed). */
export function toProblem(err: unknown): Problem {
  if (err instanceof ApiError) {
    return err.problem;
  }
  return {
    type: 'about:blank',
    title: 'Something went wrong in this page',
    status: 0,
    detail: err instanceof Error ? err.message : String(err),
    code: 'CLIENT',
  };
}
