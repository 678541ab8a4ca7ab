import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256Digest } from '../../src/core/digest';
import { ImageIndex, ImageManifest } from '../../src/core/manifest';
import {
  SLSA_V02,
  SLSA_V1,
  attestationEntries,
  isBuildFrontend,
  parseDockerPurl,
  provenanceLayers,
  readProvenance,
} from '../../src/core/rebase/provenance';
import { formatReference } from '../../src/core/reference';

const image = sha256Digest('the image manifest');
const base = sha256Digest('the base index');
const frontend = sha256Digest('the dockerfile frontend');
const hex = (d: string) => d.slice('sha256:'.length);

function purl(uri: string): string | undefined {
  const p = parseDockerPurl(uri);
  return p && `${formatReference(p.reference)}${p.platform ? ` (${p.platform})` : ''}`;
}

test('package URLs as BuildKit writes them become image references', () => {
  assert.equal(purl('pkg:docker/alpine@3.18?platform=linux%2Famd64'), 'docker.io/library/alpine:3.18 (linux/amd64)');
  assert.equal(purl('pkg:docker/library/alpine@3.15'), 'docker.io/library/alpine:3.15');
  assert.equal(purl('pkg:docker/docker.io/library/alpine@3.18?platform=linux%2Farm64%2Fv8'), 'docker.io/library/alpine:3.18 (linux/arm64/v8)');
  assert.equal(purl('pkg:docker/user/app@v2'), 'docker.io/user/app:v2');
  assert.equal(purl('pkg:docker/ghcr.io/org/team/app@1.2.3'), 'ghcr.io/org/team/app:1.2.3');
  assert.equal(purl('pkg:docker/localhost:5000/base@1?platform=linux/amd64'), 'localhost:5000/base:1 (linux/amd64)');
  // packageurl-go percent-encodes the port's colon in some versions.
  assert.equal(purl('pkg:docker/127.0.0.1%3A5000/fx/base@1'), '127.0.0.1:5000/fx/base:1');
  // No version: "latest", as BuildKit's PURLToRef does.
  assert.equal(purl('pkg:docker/alpine'), 'docker.io/library/alpine:latest');
  // Digests: as the version, as a qualifier next to a tag, or both when they agree.
  assert.equal(purl(`pkg:docker/alpine?digest=${base}`), `docker.io/library/alpine@${base}`);
  assert.equal(purl(`pkg:docker/alpine@3.18?digest=${encodeURIComponent(base)}`), `docker.io/library/alpine:3.18@${base}`);
  assert.equal(purl(`pkg:docker/alpine@${base}?digest=${base}`), `docker.io/library/alpine@${base}`);
  assert.equal(purl('PKG:DOCKER/alpine@3.18'), 'docker.io/library/alpine:3.18', 'scheme and type are case-insensitive');
  assert.equal(purl('pkg:docker/alpine@3.18#sub/path'), 'docker.io/library/alpine:3.18', 'a subpath is ignored');
});

test('anything else is no image', () => {
  for (const uri of [
    'https://github.com/moby/buildkit.git#refs/tags/v0.11.0',
    'pkg:npm/left-pad@1.3.0',
    'pkg:oci/alpine@sha256:abc',
    'pkg:docker/',
    'pkg:docker/Alpine@3.18', // repository names are lowercase
    'pkg:docker/alpine@bad%tag',
    'pkg:docker/alpine@3.18?digest=sha256:../../v2/_catalog',
    `pkg:docker/alpine@${base}?digest=${frontend}`, // version and qualifier disagree
    'pkg:docker/alpine@3.18?=x',
    'pkg:docker/a%2Fb@1', // a "/" hidden in a segment
    `pkg:docker/${'a'.repeat(5000)}@1`,
  ]) {
    assert.equal(parseDockerPurl(uri), undefined, uri);
  }
  assert.equal(parseDockerPurl(42 as unknown as string), undefined);
  // A platform qualifier that is not one is dropped, the image kept.
  assert.equal(purl('pkg:docker/alpine@3?platform=..%2F..%2Fetc'), 'docker.io/library/alpine:3');
});

function statementV02(materials: unknown, subject: unknown = [{ name: 'pkg:docker/app@1', digest: { sha256: hex(image) } }]) {
  return { _type: 'https://in-toto.io/Statement/v0.1', predicateType: SLSA_V02, subject, predicate: { builder: { id: '' }, buildType: 'https://mobyproject.org/buildkit@v1', materials } };
}

function statementV1(deps: unknown) {
  return {
    _type: 'https://in-toto.io/Statement/v1',
    predicateType: SLSA_V1,
    subject: [{ name: 'pkg:docker/app@1', digest: { sha256: hex(image) } }],
    predicate: { buildDefinition: { buildType: 'https://github.com/moby/buildkit/blob/master/docs/attestations/slsa-definitions.md', externalParameters: {}, resolvedDependencies: deps }, runDetails: {} },
  };
}

const materials = [
  { uri: 'pkg:docker/docker/dockerfile@1?platform=linux%2Famd64', digest: { sha256: hex(frontend) } },
  { uri: 'pkg:docker/localhost:5000/fx/base@1?platform=linux%2Famd64', digest: { sha256: hex(base) } },
  { uri: 'https://github.com/example/app.git#main', digest: { sha1: '4b220de5058abfd01ff619c9d2ff6b09a049bea0' } },
];

test('SLSA v0.2 materials and v1 resolvedDependencies list the images the build pulled', () => {
  for (const [doc, version] of [[statementV02(materials), 'v0.2'], [statementV1(materials), 'v1']] as const) {
    const r = readProvenance(doc, image);
    assert.equal(r?.version, version);
    assert.deepEqual(
      r!.images.map((i) => [formatReference(i.reference), i.digest, i.platform]),
      [
        ['docker.io/docker/dockerfile:1', frontend, 'linux/amd64'],
        ['localhost:5000/fx/base:1', base, 'linux/amd64'],
      ],
    );
    assert.ok(isBuildFrontend(r!.images[0].reference));
    assert.ok(!isBuildFrontend(r!.images[1].reference));
  }
});

test('a statement about another image, or of another kind, gives nothing', () => {
  assert.equal(readProvenance(statementV02(materials), sha256Digest('another image')), undefined);
  assert.ok(readProvenance(statementV02(materials, []), sha256Digest('another image')), 'no subjects: the index annotation is the link');
  assert.equal(readProvenance({ ...statementV02(materials), predicateType: 'https://spdx.dev/Document' }, image), undefined);
  assert.equal(readProvenance({ ...statementV02(materials), _type: 'https://example.com/Statement' }, image), undefined);
});

test('hostile or malformed statements are read defensively, never thrown', () => {
  const cases: unknown[] = [null, 42, 'text', [], {}, { _type: 5 }, { ...statementV02(materials), predicate: null }, { ...statementV02(materials), predicate: [] }];
  for (const doc of cases) assert.equal(readProvenance(doc, image), undefined, JSON.stringify(doc));
  for (const list of [undefined, null, 'x', { length: 3 }, 7]) {
    assert.deepEqual(readProvenance(statementV02(list), image)?.images, [], `materials: ${JSON.stringify(list)}`);
    assert.deepEqual(readProvenance(statementV1(list), image)?.images, [], `resolvedDependencies: ${JSON.stringify(list)}`);
  }
  assert.deepEqual(readProvenance({ ...statementV1(materials), predicate: { buildDefinition: 'x' } }, image)?.images, []);
  const junk = [
    null,
    'pkg:docker/alpine@3',
    { uri: 5 },
    { uri: 'pkg:docker/alpine@3', digest: { sha256: 'not-hex' } },
    { uri: 'pkg:docker/alpine@4', digest: { sha256: hex(base).toUpperCase() } },
    { uri: 'pkg:docker/alpine@5', digest: 'sha256:abc' },
    { uri: 'pkg:docker/alpine@6', digest: { sha256: ['x'] } },
    { uri: { toString: () => 'pkg:docker/alpine@7' } },
  ];
  const r = readProvenance(statementV02(junk), image)!;
  // Entries with a usable URI are kept without a digest; the others are skipped.
  assert.deepEqual(r.images.map((i) => [formatReference(i.reference), i.digest]), [
    ['docker.io/library/alpine:3', undefined],
    ['docker.io/library/alpine:4', undefined],
    ['docker.io/library/alpine:5', undefined],
    ['docker.io/library/alpine:6', undefined],
  ]);
  // A flood of entries is cut short, and duplicates are listed once.
  const flood = Array.from({ length: 50_000 }, (_, i) => ({ uri: `pkg:docker/x/y@t${i % 3000}` }));
  const many = readProvenance(statementV02(flood), image)!;
  assert.equal(many.images.length, 1000);
  const dup = readProvenance(statementV02([materials[1], materials[1]]), image)!;
  assert.equal(dup.images.length, 1);
});

test('attestation entries are found by their reference annotations, and only provenance layers are read', () => {
  const att = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256Digest('att'), size: 1, platform: { os: 'unknown', architecture: 'unknown' } };
  const index: ImageIndex = {
    schemaVersion: 2,
    manifests: [
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: image, size: 1, platform: { os: 'linux', architecture: 'amd64' } },
      { ...att, annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': image } },
      { ...att, digest: sha256Digest('other'), annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': sha256Digest('x') } },
      { ...att, digest: sha256Digest('sig'), annotations: { 'vnd.docker.reference.type': 'signature', 'vnd.docker.reference.digest': image } },
    ],
  };
  assert.deepEqual(attestationEntries(index, image).map((d) => d.digest), [att.digest]);
  const layer = (type?: string, mediaType = 'application/vnd.in-toto+json') => ({ mediaType, digest: sha256Digest(`l${type}${mediaType}`), size: 1, ...(type ? { annotations: { 'in-toto.io/predicate-type': type } } : {}) });
  const m: ImageManifest = {
    schemaVersion: 2,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256Digest('c'), size: 1 },
    layers: [layer('https://spdx.dev/Document'), layer(SLSA_V02), layer(SLSA_V1), layer(), layer(SLSA_V02, 'application/json')],
  };
  assert.deepEqual(provenanceLayers(m).map((l) => l.annotations?.['in-toto.io/predicate-type']), [SLSA_V02, SLSA_V1, undefined]);
});
