// Each project's test and hook timeout, set where jest honours it: `testTimeout` inside a
// `projects` entry is not applied to hooks (a beforeAll then dies at jest's 5 s default).
// Unit tests touch nothing slower than loopback; integration tests start Java, npm start and
// hundreds of concurrent requests on a 2-core machine that may be busy with something else.
jest.setTimeout(/\.int\.test\.ts$/.test(expect.getState().testPath ?? '') ? 60_000 : 15_000);
