import { highest } from '../../scripts/check-newest-cdk';

describe('check-newest-cdk', () => {
  it('picks the highest version as numbers, whatever order the registry lists them in', () => {
    expect(highest(['2.276.0', '2.278.0', '2.277.0'])).toBe('2.278.0');
    expect(highest(['2.99.0', '2.100.0', '2.100.1'])).toBe('2.100.1');
    expect(highest(['10.8.1'])).toBe('10.8.1');
  });
});
