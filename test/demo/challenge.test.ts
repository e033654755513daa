import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_CHALLENGE_META, configureDemoPage, widgetScriptUrl } from '../../demo/challenge';

const page = readFileSync(join(__dirname, '..', '..', 'demo', 'index.html'), 'utf8');

describe('the demo page’s bot challenge', () => {
  it('is handed to the page in its meta tag, escaped for an attribute, and left empty without one', () => {
    expect(page).toContain(DEMO_CHALLENGE_META);
    expect(configureDemoPage(page, undefined)).toBe(page);
    const html = configureDemoPage(page, { provider: 'recaptcha', siteKey: '6Lc"<x>&', action: 'send_code' });
    expect(html).toContain(
      '<meta name="phone-verify-challenge" content="{&quot;provider&quot;:&quot;recaptcha&quot;,&quot;siteKey&quot;:&quot;6Lc\\&quot;&lt;x&gt;&amp;&quot;,&quot;action&quot;:&quot;send_code&quot;}">',
    );
    expect(() => configureDemoPage('<html></html>', undefined)).toThrow(/no <meta name="phone-verify-challenge"/);
  });

  it('loads each service’s widget from the URL its documentation gives, rendered explicitly', () => {
    expect(widgetScriptUrl({ provider: 'turnstile', siteKey: 'k' })).toBe('https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit');
    expect(widgetScriptUrl({ provider: 'hcaptcha', siteKey: 'k' })).toBe('https://js.hcaptcha.com/1/api.js?render=explicit');
    expect(widgetScriptUrl({ provider: 'recaptcha', siteKey: '6Lc site' })).toBe('https://www.google.com/recaptcha/api.js?render=6Lc%20site');
  });
});
