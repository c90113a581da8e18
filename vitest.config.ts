import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration suites start real peers (kamailio, sipp, tcpdump) on fixed loopback ports:
    // run files one at a time so two suites never race for a port.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    disableConsoleIntercept: true,
  },
});
