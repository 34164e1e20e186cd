// The local dev server takes extra dynamic config from TEMPORAL_DEV_DYNAMIC_CONFIG (scripts/localStack.ts): how an
// operator or a benchmark tries a server setting. A malformed pair must stop the start with the variable named,
// not reach the CLI as a flag it misreads.
import { localDynamicConfig } from '../../scripts/localStack';

test('pairs separated by semicolons become one --dynamic-config-value each', () => {
  expect(localDynamicConfig('matching.numTaskqueueReadPartitions=1; matching.numTaskqueueWritePartitions=1;')).toEqual([
    'matching.numTaskqueueReadPartitions=1',
    'matching.numTaskqueueWritePartitions=1',
  ]);
  expect(localDynamicConfig('')).toEqual([]);
});

test('a pair without a key or a value is refused with the variable named', () => {
  for (const bad of ['=1', 'matching.numTaskqueueReadPartitions', 'matching.x= ', '--log-level=debug']) {
    expect(() => localDynamicConfig(bad)).toThrow(/TEMPORAL_DEV_DYNAMIC_CONFIG: .* is not key=value/);
  }
});
