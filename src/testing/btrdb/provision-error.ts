import { DialectryError } from '../../core/errors.ts'

/** The local BTrDB could not be started or provisioned as asked (bad options, port in use, ...). */
export class BTrDBProvisionError extends DialectryError {}
