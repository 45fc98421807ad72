import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Installs Debian's tarantool package first when there is no binary (root on Debian/Ubuntu; DIALECTRY_NO_APT=1 skips).
    globalSetup: ['test/testing/tarantool-global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration suites each start their own Tarantool; two cores, so keep it modest.
    maxWorkers: 2,
  },
})
