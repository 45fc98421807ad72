/**
 * BTrDB's numeric status codes (4xx: the request was wrong, 5xx: the server failed), by name. They arrive in
 * the in-band `Status` message of every response and in `[code] msg` gRPC error details.
 *
 * Follows BTrDB/btrdb-server `bte/errors.go` and BTrDB/btrdb `v5api/errors.go`, plus the v5-only codes named in
 * PingThingsIO/btrdb-python `btrdb/exceptions.py`.
 */
export const BTRDB_STATUS_CODES = {
  401: 'NoSuchPoint',
  402: 'ContextError',
  403: 'InsertFailure',
  404: 'NoSuchStream',
  405: 'WrongEndpoint',
  406: 'StreamExists',
  407: 'InvalidCollection',
  408: 'InvalidTagKey',
  409: 'InvalidTagValue',
  410: 'AwesomenessExceedsThreshold',
  411: 'InvalidLimit',
  412: 'AmbiguousTags',
  413: 'InvalidTimeRange',
  414: 'InsertTooBig',
  415: 'InvalidPointWidth',
  416: 'GenericError',
  417: 'SameStream',
  418: 'AmbiguousStream',
  419: 'ClusterDegraded',
  420: 'BlazeIt',
  421: 'WrongArgs',
  422: 'AnnotationTooBig',
  423: 'AnnotationVersionMismatch',
  424: 'FaultInjectionDisabled',
  425: 'BadValue',
  426: 'ResourceDepleted',
  427: 'InvalidVersions',
  428: 'EtcdFailure',
  429: 'ReusedUUID',
  430: 'ConcurrentModification',
  431: 'ObliterateDisabled',
  432: 'CephError',
  433: 'NodeExisted',
  434: 'JournalError',
  435: 'ManifestError',
  436: 'ManifestDeviceDuplicated',
  437: 'Unauthorized',
  438: 'InvalidParameter',
  439: 'ManifestDeviceNotFound',
  440: 'MetadataConnectionError',
  441: 'BadSQLValue',
  442: 'AlreadyExists',
  443: 'MissingParameter',
  444: 'UnrecognizedParameter',
  445: 'ObjectNotFound',
  446: 'ObjectInUse',
  447: 'OperationNotAllowed',
  448: 'TLSError',
  449: 'SelectorError',
  450: 'VersionNotAvailable',
  452: 'OverlappingTrimRange',
  453: 'LockFailed',
  454: 'NoLeafNode',
  455: 'TierCacheError',
  456: 'StreamEmpty',
  457: 'TieredStorageBackendError',
  458: 'TieredStorageOutOfBounds',
  459: 'TieredStorageTemporaryError',
  500: 'InvariantFailure',
  501: 'NotImplemented',
  502: 'UnsupportedRollback',
} as const satisfies Record<number, string>

/** Name of a BTrDB status code (`404` → `'NoSuchStream'`), or `undefined` for codes not in the table. */
export function statusCodeName(code: number): string | undefined {
  return (BTRDB_STATUS_CODES as Record<number, string>)[code]
}

/** Codes after which the same request may succeed when sent again (cluster routing, load shedding, timeouts). */
export const RETRYABLE_STATUS_CODES: ReadonlySet<number> = new Set([402, 405, 419, 426, 428, 453, 459])
