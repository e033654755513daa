// Each project's test and hook timeout, set where jest honours it: `testTimeout` inside a
// `projects` entry is not applied to hooks (a beforeAll then dies at jest's 5 s default).
// Unit tests touch nothing slower than loopback; slow tests synthesise stacks and start child
// Node processes (each with its own time limit); integration tests start Java, npm start and
// hundreds of concurrent requests on a 2-core machine that may be busy with something else.
const testPath = expect.getState().testPath ?? '';
jest.setTimeout(/\.int\.test\.ts$/.test(testPath) ? 60_000 : /\.slow\.test\.ts$/.test(testPath) ? 120_000 : 15_000);
