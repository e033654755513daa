import { cutPhoneMetadata } from '../../lib/phone-metadata';

describe('cutPhoneMetadata (derived from the metadata JSON libphonenumber-js ships)', () => {
  it('keeps exactly the allowed countries when they share no calling code with others', () => {
    const cut = cutPhoneMetadata(['KR', 'JP']);
    expect(Object.keys(cut.countries).sort()).toEqual(['JP', 'KR']);
    expect(cut.country_calling_codes).toEqual({ '81': ['JP'], '82': ['KR'] });
    expect(cut.nonGeographic).toEqual({});
    expect(JSON.stringify(cut).length).toBeLessThan(10_000);
  });

  it('keeps the whole group of a shared calling code, its main country first', () => {
    const cut = cutPhoneMetadata(['CA']);
    expect(cut.country_calling_codes['1']?.[0]).toBe('US');
    expect(Object.keys(cut.countries)).toEqual(expect.arrayContaining(['US', 'CA']));
    expect(Object.keys(cut.countries)).not.toContain('KR');
  });
});
