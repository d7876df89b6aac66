/** The dashboard's calls to its server: GET JSON, and POSTs carrying the page's CSRF token. */
const token = document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function parse<T>(res: Response): Promise<T> {
  const body = (await res.json()) as T & { error?: { code: string; message: string } };
  if (!res.ok)
    throw new ApiError(res.status, body.error?.code ?? 'ERR_HTTP', body.error?.message ?? res.statusText);
  return body;
}

export async function get<T>(path: string): Promise<T> {
  return parse<T>(await fetch(path, { headers: { accept: 'application/json' } }));
}

export async function post<T>(path: string, body: unknown): Promise<T> {
  return parse<T>(
    await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': token },
      body: JSON.stringify(body),
    }),
  );
}
