import { DialectryError } from '../../core/errors.ts'

/**
 * `E6DATA_URL` could not be used (`INVALID_URL`: not a URL, not `e6data://`, or without the e-mail and access
 * token). The message never contains the token.
 */
export class E6dataProvisionError extends DialectryError {
  constructor(message: string) {
    super(message, { code: 'INVALID_URL' })
  }
}
