import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The providers' stand-ins in test/emulators/ are vendored byte for byte and never edited: they
 * were written from SENS's, AWS's and the challenge services' own references, so they catch a client that misreads them
 * only while nobody here adapts them to our client. Two checks keep them so:
 * - a manifest of their SHA-256 sums (test/emulators.sha256), checked in every clone;
 * - where the workspace's `../shared/` stands beside the repository (a developer's machine, CI),
 *   a file-by-file comparison with the source they were copied from. A clone on its own has no
 *   such folder; that comparison is then not possible, and the manifest still holds.
 * To take a new upstream version: copy the folder again, then `(cd test/emulators && find . -type f
 * | sort | xargs sha256sum) > test/emulators.sha256`.
 */
const VENDORED = join(__dirname, 'emulators');
const UPSTREAM = join(__dirname, '..', '..', 'shared');
const STAND_INS = ['sens-emulator', 'aws-emulator', 'challenge-emulator'];

const files = (dir: string) =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => statSync(join(dir, f)).isFile())
    .sort();
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('the vendored stand-ins (test/emulators/)', () => {
  it('are exactly the files the manifest names, with its SHA-256 sums', () => {
    const manifest = readFileSync(join(__dirname, 'emulators.sha256'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(/\s+\.\//) as [string, string]);
    const onDisk = STAND_INS.flatMap((name) => files(join(VENDORED, name)).map((f) => `${name}/${f}`)).sort();
    expect(manifest.map(([, f]) => f).sort()).toEqual(onDisk);
    for (const [sum, file] of manifest) expect({ file, sum: sha256(join(VENDORED, file)) }).toEqual({ file, sum });
  });

  const upstream = STAND_INS.filter((name) => existsSync(join(UPSTREAM, name)));
  (upstream.length > 0 ? it.each(upstream) : it.skip.each(STAND_INS))('%s is byte for byte the copy in ../shared/ beside the repository', (name) => {
    const theirs = files(join(UPSTREAM, name));
    expect(files(join(VENDORED, name))).toEqual(theirs);
    for (const file of theirs) {
      expect({ file, same: readFileSync(join(VENDORED, name, file)).equals(readFileSync(join(UPSTREAM, name, file))) }).toEqual({ file, same: true });
    }
  });
});
