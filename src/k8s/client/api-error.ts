// Kubernetes API failures as one line and a status code. client-node's ApiException message embeds the
// whole body and headers; users and logs need the API server's own Status message instead.
import { ApiException } from '@kubernetes/client-node';
import { errorCode, errorMessage } from '../../common/errors.js';

/** The HTTP status of a failed API call, or undefined when the request never got an answer. */
export function apiStatus(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code;
  if (typeof err === 'object' && err !== null && 'statusCode' in err && typeof err.statusCode === 'number') {
    return err.statusCode;
  }
  return undefined;
}

function statusMessage(body: unknown): string | undefined {
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body) as unknown;
    } catch {
      return body.trim().slice(0, 200) || undefined;
    }
  }
  if (typeof parsed === 'object' && parsed !== null && 'message' in parsed) {
    const m = parsed.message;
    if (typeof m === 'string' && m !== '') return m;
  }
  return undefined;
}

/** `403 Forbidden: pods is forbidden: …`, `connect ECONNREFUSED 127.0.0.1:6443`, … */
export function apiErrorMessage(err: unknown): string {
  if (err instanceof ApiException) {
    const msg = statusMessage(err.body);
    return msg === undefined ? `HTTP ${err.code}` : `HTTP ${err.code}: ${msg}`;
  }
  // undici wraps socket errors: the useful part (ECONNREFUSED, certificate errors) is in `cause`.
  const cause = typeof err === 'object' && err !== null && 'cause' in err ? err.cause : undefined;
  if (cause !== undefined && cause !== null) {
    const code = errorCode(cause);
    const text = errorMessage(cause);
    return code !== undefined && !text.includes(code) ? `${code}: ${text}` : text;
  }
  return errorMessage(err);
}
