/**
 * Side-effect module imported first by every public entry point: fails with a clear
 * {@link UnsupportedNodeVersionError} on a Node.js older than {@link MINIMUM_NODE_VERSION}, before dependencies
 * that crash less clearly on old releases (undici) are evaluated. ES modules evaluate their imports in source
 * order, so this import must stay the first one of each entry.
 */
import { assertSupportedNode } from './node-version.ts'

assertSupportedNode()
