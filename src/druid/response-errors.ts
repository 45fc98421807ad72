import {
  DruidAuthError,
  DruidQueryCanceledError,
  DruidQueryError,
  DruidQueryTimeoutError,
  type DruidErrorCategory,
  type DruidErrorEnvelope,
  type DruidError,
} from './errors.ts'

const CATEGORIES = new Set<string>([
  'DEFENSIVE', 'INVALID_INPUT', 'UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'CAPACITY_EXCEEDED', 'CANCELED',
  'RUNTIME_FAILURE', 'SERVICE_UNAVAILABLE', 'TIMEOUT', 'UNSUPPORTED', 'UNCATEGORIZED',
])

/**
 * Legacy `error` codes → category (apache/druid `processing/src/main/java/org/apache/druid/error/QueryExceptionCompat.java`
 * and `query/QueryException.java`).
 */
const LEGACY: Record<string, DruidErrorCategory> = {
  'SQL parse failed': 'INVALID_INPUT',
  'Plan validation failed': 'INVALID_INPUT',
  'Resource limit exceeded': 'INVALID_INPUT',
  'Query capacity exceeded': 'CAPACITY_EXCEEDED',
  'Unsupported operation': 'UNSUPPORTED',
  'Query timeout': 'TIMEOUT',
  'Query interrupted': 'RUNTIME_FAILURE',
  'Query cancelled': 'CANCELED',
  'Truncated response context': 'RUNTIME_FAILURE',
  'Unknown exception': 'UNCATEGORIZED',
}

/** HTTP status → category, for bodies without one (Druid's own category → status table, reversed). */
function categoryOfStatus(status: number): DruidErrorCategory {
  switch (status) {
    case 400: return 'INVALID_INPUT'
    case 401: return 'UNAUTHORIZED'
    case 403: return 'FORBIDDEN'
    case 404: return 'NOT_FOUND'
    case 409: return 'CONFLICT'
    case 429: return 'CAPACITY_EXCEEDED'
    case 501: return 'UNSUPPORTED'
    case 503: return 'SERVICE_UNAVAILABLE'
    case 504: return 'TIMEOUT'
    default: return 'UNCATEGORIZED'
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined
}

/**
 * Reads an error body into one {@link DruidErrorEnvelope}, whichever shape it has: the DruidException shape, the
 * legacy QueryException shape, `{"Access-Check-Result": ...}` (403), or a non-JSON body (Jetty's 401 page, a
 * proxy's HTML 502) whose first line becomes the message.
 */
export function parseErrorEnvelope(status: number, body: string): DruidErrorEnvelope {
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    json = undefined
  }
  if (json !== null && typeof json === 'object' && !Array.isArray(json)) {
    const o = json as Record<string, unknown>
    const error = str(o['error'])
    const legacyCode = error !== undefined && error !== 'druidException' ? error : undefined
    const categoryText = str(o['category'])
    const category: DruidErrorCategory =
      categoryText !== undefined && CATEGORIES.has(categoryText)
        ? (categoryText as DruidErrorCategory)
        : legacyCode !== undefined && LEGACY[legacyCode] !== undefined
          ? LEGACY[legacyCode]!
          : categoryOfStatus(status)
    const context: Record<string, string> = {}
    if (o['context'] !== null && typeof o['context'] === 'object') {
      for (const [k, v] of Object.entries(o['context'] as object)) context[k] = String(v)
    }
    const access = str(o['Access-Check-Result'])
    return {
      category,
      errorCode: str(o['errorCode']) ?? legacyCode ?? (access !== undefined ? 'forbidden' : `HTTP_${status}`),
      legacyCode,
      persona: str(o['persona']),
      errorMessage: str(o['errorMessage']) ?? access ?? legacyCode ?? body.slice(0, 500),
      errorClass: str(o['errorClass']) ?? context['errorClass'],
      host: str(o['host']) ?? context['host'],
      context,
    }
  }
  const text = body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 300)
  return {
    category: categoryOfStatus(status),
    errorCode: `HTTP_${status}`,
    legacyCode: undefined,
    persona: undefined,
    errorMessage: text === '' ? `HTTP ${status}` : text,
    errorClass: undefined,
    host: undefined,
    context: {},
  }
}

/**
 * The typed error for a non-2xx answer: {@link DruidAuthError} for 401/403 without a Druid envelope, else a
 * {@link DruidQueryError} (or its TIMEOUT / CANCELED subclasses) carrying the envelope's fields.
 */
export function errorFromResponse(what: string, status: number, body: string, extra: { url?: string; sqlQueryId?: string }): DruidError {
  const envelope = parseErrorEnvelope(status, body)
  const options = { httpStatus: status, ...extra }
  if ((status === 401 || status === 403) && envelope.persona === undefined) {
    const hint = status === 401 ? 'check the username and password (Basic auth)' : 'the user lacks a permission for this request'
    return new DruidAuthError(`${what}: HTTP ${status} ${envelope.errorMessage}; ${hint}`, { ...options, code: `HTTP_${status}` })
  }
  if (envelope.category === 'TIMEOUT') return new DruidQueryTimeoutError(what, envelope, options)
  if (envelope.category === 'CANCELED') return new DruidQueryCanceledError(what, envelope, options)
  return new DruidQueryError(what, envelope, options)
}
