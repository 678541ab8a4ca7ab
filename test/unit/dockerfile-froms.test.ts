import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeDockerfile, rootImage } from '../../src/core/dockerfile/froms';

const HEX = 'a'.repeat(64);

test('resolves ARG defaults, stages, scratch, flags, continuations and the escape directive', () => {
  const text = [
    '# escape=`',
    'ARG REG=localhost:5000',
    'ARG TAG',
    'ARG VARIANT=slim',
    'FROM --platform=$BUILDPLATFORM ${REG}/base:${TAG:-1} AS build',
    'RUN echo hi',
    'FROM `',
    `  localhost:5000/app@sha256:${HEX} AS pinned`,
    'FROM build AS again',
    'FROM scratch',
    'FROM $REG/tools:${VARIANT}',
    'FROM ${MISSING}/x',
    'FROM Bad/Name',
    'FROM ubuntu',
  ].join('\n');
  const froms = analyzeDockerfile(text);
  assert.deepEqual(
    froms.map((f) => [f.kind, f.reference ?? f.problem ?? f.expanded]),
    [
      ['image', 'localhost:5000/base:1'],
      ['image', `localhost:5000/app@sha256:${HEX}`],
      ['stage', 'build'],
      ['scratch', 'scratch'],
      ['image', 'localhost:5000/tools:slim'],
      ['unresolved', 'ARG MISSING has no default value'],
      ['invalid', froms[6].problem],
      ['image', 'docker.io/library/ubuntu:latest'],
    ],
  );
  assert.match(froms[6].problem ?? '', /must be lowercase/);
  assert.equal(froms[0].stage, 'build');
  assert.equal(froms[0].platform, '$BUILDPLATFORM');
  assert.equal(froms[0].range.start.line, 4);
  // The continuation: the instruction starts on line 6, the digest text sits on line 7.
  assert.equal(froms[1].range.start.line, 6);
  assert.equal(froms[1].pinnedDigest, `sha256:${HEX}`);
  assert.deepEqual(froms[1].digestRange, { start: { line: 7, character: 21 }, end: { line: 7, character: 92 } });
  assert.deepEqual(froms.map((f) => f.isFinal), [false, false, false, false, false, false, false, true]);
});

test('a pin written through an ARG has no editable digest range', () => {
  const [f] = analyzeDockerfile(`ARG D=sha256:${HEX}\nFROM localhost:5000/base@\${D}\n`);
  assert.equal(f.pinnedDigest, `sha256:${HEX}`);
  assert.equal(f.digestRange, undefined);
});

test('a tag written beside a pin is kept, and stages lead back to their external image', () => {
  const froms = analyzeDockerfile(`FROM localhost:5000/base:1@sha256:${HEX} AS a\nFROM a AS b\nFROM b\n`);
  assert.equal(froms[0].taggedReference, 'localhost:5000/base:1');
  assert.equal(rootImage(froms, froms[2]), froms[0]);
  const fromScratch = analyzeDockerfile('FROM scratch AS s\nFROM s\n');
  assert.equal(fromScratch[1].kind, 'stage');
  assert.equal(rootImage(fromScratch, fromScratch[1]), undefined, 'no registry image under scratch');
});
