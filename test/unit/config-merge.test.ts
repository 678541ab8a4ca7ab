import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContainerConfig, MergeDecision, decisionLabel, mergeConfig, mergeWarnings } from '../../src/core/rebase/configMerge';
import { canonicalJson, replaceSegments } from '../../src/core/rebase/configValues';

const PATH1 = '/usr/local/bin:/usr/bin:/bin';
const PATH2 = '/opt/base2/bin:/usr/local/bin:/usr/bin:/bin';

/** The decision for one key, by its label ("Env PATH", "Cmd"). */
function decision(decisions: MergeDecision[], label: string): MergeDecision {
  const d = decisions.find((x) => decisionLabel(x) === label);
  assert.ok(d, `no decision for ${label}; have ${decisions.map(decisionLabel).join(', ')}`);
  return d;
}

test('an app that inherits everything gets every value of the new base, removals included', () => {
  const oldBase: ContainerConfig = {
    Env: [`PATH=${PATH1}`, 'BASE_VERSION=1', 'ONLY_OLD=x'],
    Labels: { 'org.example.base': 'base1', 'org.example.gone': 'yes' },
    ExposedPorts: { '80/tcp': {}, '81/tcp': {} },
    Volumes: { '/data': {} },
    User: 'base1',
    WorkingDir: '/base1',
    Entrypoint: ['/base1-entry'],
    Cmd: ['/bin/sh'],
    StopSignal: 'SIGTERM',
    Healthcheck: { Test: ['CMD', '/check1'], Interval: 30_000_000_000 },
    Shell: ['/bin/sh', '-c'],
  };
  const newBase: ContainerConfig = {
    Env: [`PATH=${PATH2}`, 'BASE_VERSION=2', 'ONLY_NEW=y'],
    Labels: { 'org.example.base': 'base2', 'org.example.new': 'fresh' },
    ExposedPorts: { '80/tcp': {}, '82/tcp': {} },
    User: 'base2',
    WorkingDir: '/base2',
    Entrypoint: ['/base2-entry'],
    Cmd: ['/bin/bash'],
    StopSignal: 'SIGQUIT',
    Healthcheck: { Interval: 10_000_000_000, Test: ['CMD', '/check2'] },
  };
  const { config, decisions } = mergeConfig(oldBase, structuredClone(oldBase), newBase);
  assert.deepEqual(config, {
    Env: [`PATH=${PATH2}`, 'BASE_VERSION=2', 'ONLY_NEW=y'],
    Labels: { 'org.example.base': 'base2', 'org.example.new': 'fresh' },
    ExposedPorts: { '80/tcp': {}, '82/tcp': {} },
    User: 'base2',
    WorkingDir: '/base2',
    Entrypoint: ['/base2-entry'],
    Cmd: ['/bin/bash'],
    StopSignal: 'SIGQUIT',
    Healthcheck: { Interval: 10_000_000_000, Test: ['CMD', '/check2'] },
  });
  assert.equal(decision(decisions, 'Env PATH').decision, 'new-base');
  assert.equal(decision(decisions, 'Env ONLY_OLD').decision, 'removed');
  assert.equal(decision(decisions, 'Env ONLY_OLD').result, undefined);
  assert.equal(decision(decisions, 'Env ONLY_NEW').decision, 'new-base');
  assert.equal(decision(decisions, 'Labels org.example.gone').decision, 'removed');
  assert.equal(decision(decisions, 'ExposedPorts 80/tcp').decision, 'unchanged');
  assert.equal(decision(decisions, 'ExposedPorts 81/tcp').decision, 'removed');
  assert.equal(decision(decisions, 'ExposedPorts 82/tcp').decision, 'new-base');
  assert.equal(decision(decisions, 'Volumes /data').decision, 'removed');
  assert.equal(decision(decisions, 'Shell').decision, 'removed');
  assert.equal(decision(decisions, 'Healthcheck').decision, 'new-base');
  assert.deepEqual(decision(decisions, 'Healthcheck').oldBase, { Test: ['CMD', '/check1'], Interval: 30_000_000_000 });
  assert.ok(!('Volumes' in config!), 'a map left empty is dropped');
  assert.ok(!('Shell' in config!));
  assert.deepEqual(mergeWarnings(decisions, 'r/base:2'), []);
});

test('values the app set are kept; values the new base changed under them are conflicts', () => {
  const oldBase: ContainerConfig = { Env: ['BASE_VERSION=1', 'MODE=base'], Labels: { 'org.example.base': 'base1', v: '1' }, User: 'base1', WorkingDir: '/' };
  const app: ContainerConfig = { Env: ['BASE_VERSION=custom', 'MODE=app', 'APP=1'], Labels: { 'org.example.base': 'mine', v: '1', 'org.example.app': 'a' }, User: 'app', WorkingDir: '/app' };
  const newBase: ContainerConfig = { Env: ['BASE_VERSION=2', 'MODE=base'], Labels: { 'org.example.base': 'base2', v: '2' }, User: 'base2', WorkingDir: '/' };
  const { config, decisions } = mergeConfig(oldBase, app, newBase);
  assert.deepEqual(config, {
    Env: ['BASE_VERSION=custom', 'MODE=app', 'APP=1'],
    Labels: { 'org.example.base': 'mine', v: '2', 'org.example.app': 'a' },
    User: 'app',
    WorkingDir: '/app',
  });
  const conflict = decision(decisions, 'Env BASE_VERSION');
  assert.deepEqual([conflict.decision, conflict.oldBase, conflict.app, conflict.newBase, conflict.result], ['conflict', '1', 'custom', '2', 'custom']);
  assert.equal(decision(decisions, 'Env MODE').decision, 'app-kept');
  assert.equal(decision(decisions, 'Env APP').decision, 'app-kept');
  assert.equal(decision(decisions, 'Labels org.example.base').decision, 'conflict');
  assert.equal(decision(decisions, 'Labels v').decision, 'new-base');
  assert.equal(decision(decisions, 'User').decision, 'conflict');
  assert.equal(decision(decisions, 'WorkingDir').decision, 'app-kept');
  const warnings = mergeWarnings(decisions, 'r/base:2');
  assert.equal(warnings.length, 3);
  assert.equal(
    warnings[0],
    'Config conflict on Env BASE_VERSION: the app set "custom" and the new base r/base:2 changed it from "1" to "2"; the app\'s value was kept, check that it still fits the new base.',
  );
});

test('the same change in app and new base is no conflict; an app removal stays a removal', () => {
  const oldBase: ContainerConfig = { Env: ['A=1', 'B=1'], ExposedPorts: { '80/tcp': {} } };
  const app: ContainerConfig = { Env: ['A=2'], ExposedPorts: { '80/tcp': {}, '443/tcp': {} } };
  const newBase: ContainerConfig = { Env: ['A=2', 'B=1'], ExposedPorts: { '443/tcp': {} } };
  const { config, decisions } = mergeConfig(oldBase, app, newBase);
  assert.equal(decision(decisions, 'Env A').decision, 'app-kept');
  assert.match(decision(decisions, 'Env A').reason, /same change/);
  assert.equal(decision(decisions, 'Env B').decision, 'app-kept', 'the app removed B (not possible in a Dockerfile, but in an edited config)');
  assert.equal(decision(decisions, 'Env B').result, undefined);
  assert.equal(decision(decisions, 'ExposedPorts 80/tcp').decision, 'removed');
  assert.equal(decision(decisions, 'ExposedPorts 443/tcp').decision, 'app-kept');
  assert.deepEqual(config, { Env: ['A=2'], ExposedPorts: { '443/tcp': {} } });
});

test('ENV PATH=/app/bin:$PATH: the old base part is replaced by the new base value, and says so', () => {
  const oldBase: ContainerConfig = { Env: [`PATH=${PATH1}`, 'LD_LIBRARY_PATH=/usr/lib'] };
  const app: ContainerConfig = { Env: [`PATH=/app/bin:${PATH1}:/app/tools`, 'LD_LIBRARY_PATH=/usr/lib:/app/lib'] };
  const newBase: ContainerConfig = { Env: [`PATH=${PATH2}`] };
  const { config, decisions } = mergeConfig(oldBase, app, newBase);
  const path = decision(decisions, 'Env PATH');
  assert.equal(path.decision, 'path-segment-replaced');
  assert.equal(path.result, `/app/bin:${PATH2}:/app/tools`);
  assert.match(path.reason, /that part now holds the new base's value/);
  const ld = decision(decisions, 'Env LD_LIBRARY_PATH');
  assert.equal(ld.decision, 'path-segment-replaced', 'the new base dropped the variable: its segments go');
  assert.equal(ld.result, '/app/lib');
  assert.match(ld.reason, /dropped/);
  assert.deepEqual(config!.Env, [`PATH=/app/bin:${PATH2}:/app/tools`, 'LD_LIBRARY_PATH=/app/lib']);
});

test('path segments: only whole segments match, and an unchanged base leaves the app value alone', () => {
  assert.equal(replaceSegments('/app/bin:/usr/bin:/bin', '/usr/bin:/bin', '/x'), '/app/bin:/x');
  assert.equal(replaceSegments('/app/usr/bin:/binx', '/usr/bin:/bin', '/x'), undefined, 'substrings are not segments');
  assert.equal(replaceSegments('/a:/b:/a', '/a', '/c'), '/c:/b:/c');
  assert.equal(replaceSegments('/a', '', '/c'), undefined);
  // Not an extension of the old value: a conflict, not a replacement.
  const { decisions } = mergeConfig({ Env: [`PATH=${PATH1}`] }, { Env: ['PATH=/app/bin:/bin'] }, { Env: [`PATH=${PATH2}`] });
  assert.equal(decision(decisions, 'Env PATH').decision, 'conflict');
  // The new base kept PATH: the app's extension is simply the app's.
  const same = mergeConfig({ Env: [`PATH=${PATH1}`] }, { Env: [`PATH=/app/bin:${PATH1}`] }, { Env: [`PATH=${PATH1}`, 'X=1'] });
  assert.equal(decision(same.decisions, 'Env PATH').decision, 'app-kept');
  assert.deepEqual(same.config!.Env, [`PATH=/app/bin:${PATH1}`, 'X=1']);
  // Labels are not variables: no segment rule for them.
  const labels = mergeConfig({ Labels: { p: 'a:b' } }, { Labels: { p: 'x:a:b' } }, { Labels: { p: 'c' } });
  assert.equal(decision(labels.decisions, 'Labels p').decision, 'conflict');
});

test('ENTRYPOINT resets an inherited CMD: an app that set ENTRYPOINT keeps its CMD, even one equal to the old base CMD', () => {
  const oldBase: ContainerConfig = { Entrypoint: ['/base-entry'], Cmd: ['/bin/sh'] };
  const newBase: ContainerConfig = { Entrypoint: ['/base2-entry'], Cmd: ['/bin/bash'] };

  // ENTRYPOINT ["/app/run"] then CMD ["/bin/sh"]: the CMD is the app's own although it equals the base's.
  const explicit = mergeConfig(oldBase, { Entrypoint: ['/app/run'], Cmd: ['/bin/sh'] }, newBase);
  assert.deepEqual(explicit.config, { Entrypoint: ['/app/run'], Cmd: ['/bin/sh'] });
  const cmd = decision(explicit.decisions, 'Cmd');
  assert.equal(cmd.decision, 'app-kept');
  assert.match(cmd.reason, /ENTRYPOINT, which resets an inherited CMD/);
  assert.equal(decision(explicit.decisions, 'Entrypoint').decision, 'conflict', 'the new base changed its ENTRYPOINT too');
  assert.deepEqual(mergeWarnings(explicit.decisions, 'b').length, 1, 'a CMD the rebuild would never take is no conflict');

  // ENTRYPOINT alone: Docker left Cmd empty; the new base's CMD must not come back.
  const alone = mergeConfig({ Cmd: ['/bin/sh'] }, { Entrypoint: ['/app/run'], Cmd: null }, { Cmd: ['/bin/bash'] });
  assert.deepEqual(alone.config, { Entrypoint: ['/app/run'], Cmd: null });
  assert.equal(decision(alone.decisions, 'Cmd').decision, 'app-kept');
  assert.equal(decision(alone.decisions, 'Entrypoint').decision, 'app-kept');

  // A base without CMD: the app's empty Cmd equals the old base's, yet the new base's CMD stays out.
  const noBaseCmd = mergeConfig({}, { Entrypoint: ['/app/run'] }, { Cmd: ['/bin/bash'] });
  assert.deepEqual(noBaseCmd.config, { Entrypoint: ['/app/run'] });
  assert.equal(decision(noBaseCmd.decisions, 'Cmd').decision, 'app-kept');
  assert.equal(decision(noBaseCmd.decisions, 'Cmd').result, undefined);

  // The app set only CMD: the ENTRYPOINT it inherited follows the new base, its CMD stays.
  const cmdOnly = mergeConfig(oldBase, { Entrypoint: ['/base-entry'], Cmd: ['serve'] }, newBase);
  assert.deepEqual(cmdOnly.config, { Entrypoint: ['/base2-entry'], Cmd: ['serve'] });
  assert.equal(decision(cmdOnly.decisions, 'Entrypoint').decision, 'new-base');
  assert.equal(decision(cmdOnly.decisions, 'Cmd').decision, 'conflict');

  // Neither set: both follow the new base.
  const neither = mergeConfig(oldBase, structuredClone(oldBase), newBase);
  assert.deepEqual(neither.config, newBase);
});

test('whole values compare structurally; null, "", [] and {} all mean unset', () => {
  const hc = { Test: ['CMD-SHELL', 'curl -f localhost'], Interval: 1, Retries: 3 };
  const reordered = { Retries: 3, Interval: 1, Test: ['CMD-SHELL', 'curl -f localhost'] };
  const { config, decisions } = mergeConfig(
    { Healthcheck: hc, User: '', Cmd: null, Entrypoint: [], Shell: ['/bin/sh', '-c'] },
    { Healthcheck: reordered, User: '', Cmd: null, Entrypoint: [], Shell: ['/bin/sh', '-c'] },
    { Healthcheck: { Test: ['NONE'] }, User: 'nobody', Cmd: ['x'], Shell: ['/bin/bash', '-c'] },
  );
  assert.equal(decision(decisions, 'Healthcheck').decision, 'new-base');
  assert.deepEqual(config!.Healthcheck, { Test: ['NONE'] });
  assert.equal(decision(decisions, 'User').decision, 'new-base');
  assert.equal(decision(decisions, 'Cmd').decision, 'new-base');
  assert.deepEqual(config!.Shell, ['/bin/bash', '-c']);
  assert.equal(canonicalJson(hc), canonicalJson(reordered));
  // Nothing set anywhere: no decision at all.
  assert.equal(mergeConfig({}, {}, {}).decisions.length, 0);
});

test('ONBUILD is never inherited: the app keeps its own, and new base triggers are a warning', () => {
  const { config, decisions } = mergeConfig({}, { Cmd: ['x'] }, { OnBuild: ['RUN make'] });
  const d = decision(decisions, 'OnBuild');
  assert.equal(d.decision, 'app-kept');
  assert.equal(d.result, undefined);
  assert.ok(!('OnBuild' in config!));
  assert.deepEqual(mergeWarnings(decisions, 'r/base:2'), [
    'The new base r/base:2 has ONBUILD triggers (["RUN make"]) that a rebuild would run; a rebase cannot run them, so their effect is missing from the rebased image.',
  ]);
  const own = mergeConfig({ OnBuild: ['RUN a'] }, { OnBuild: ['RUN mine'] }, { OnBuild: ['RUN a'] });
  assert.deepEqual(own.config!.OnBuild, ['RUN mine']);
});

test('a config whose bases agree comes back byte for byte, untouched fields keep their form', () => {
  const app: ContainerConfig = {
    Hostname: '',
    Env: ['PATH=/bin', 'NAMEONLY', 'A=1'],
    Cmd: null,
    Labels: null,
    ArgsEscaped: true,
    OnBuild: null,
    Image: 'sha256:abc',
  };
  const base: ContainerConfig = { Env: ['PATH=/bin'], Cmd: null };
  const merged = mergeConfig(base, app, structuredClone(base));
  assert.equal(JSON.stringify(merged.config), JSON.stringify(app));
  assert.notEqual(merged.config, app, 'a new object: the source is never mutated');
  // When Env does change, entries keep their own text.
  const changed = mergeConfig(base, app, { Env: ['PATH=/usr/bin:/bin'] });
  assert.deepEqual(changed.config!.Env, ['PATH=/usr/bin:/bin', 'NAMEONLY', 'A=1']);
  assert.equal(JSON.stringify(mergeConfig(null, null, null).config), undefined, 'no settings anywhere: none made up');
  assert.deepEqual(mergeConfig(undefined, undefined, { Env: ['X=1'] }).config, { Env: ['X=1'] });
});

test('Env order follows a rebuild: the new base variables in place, then the app ones', () => {
  const { config, decisions } = mergeConfig(
    { Env: ['A=1', 'B=1'] },
    { Env: ['APP=1', 'A=1', 'B=app', 'C=1'] },
    { Env: ['Z=2', 'A=2', 'B=1'] },
  );
  assert.deepEqual(config!.Env, ['Z=2', 'A=2', 'B=app', 'APP=1', 'C=1']);
  assert.deepEqual(
    decisions.map((d) => [d.key, d.decision]),
    [
      ['Z', 'new-base'],
      ['A', 'new-base'],
      ['B', 'app-kept'],
      ['APP', 'app-kept'],
      ['C', 'app-kept'],
    ],
  );
});

test('every decision names its kind, field and key', () => {
  const { decisions } = mergeConfig({ Labels: { a: '1' }, Volumes: { '/v': {} } }, { Labels: { a: '1' }, Volumes: { '/v': {} }, StopSignal: 'SIGINT' }, {});
  assert.deepEqual(
    decisions.map((d) => [d.kind, d.field, d.key, decisionLabel(d), d.decision]),
    [
      ['label', 'Labels', 'a', 'Labels a', 'removed'],
      ['volume', 'Volumes', '/v', 'Volumes /v', 'removed'],
      ['value', 'StopSignal', 'StopSignal', 'StopSignal', 'app-kept'],
    ],
  );
});
