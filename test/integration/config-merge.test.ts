// The three-way config merge against a real registry: two bases that differ in Env, Labels, Cmd,
// Entrypoint, User, WorkingDir, ExposedPorts and Healthcheck, apps built on the first that
// inherit, override, extend PATH, conflict, and set ENTRYPOINT; each rebased onto the second by
// the CLI, its config read back from the registry key by key, and the image pulled by containerd.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cli, tagDigest } from '../harness/cli';
import { pullAndUnpack } from '../harness/containerd';
import { buildImage, BuildOptions, OciLayoutImage, pushImage } from '../harness/fixtures';
import { fetchBlob, fetchManifest } from '../harness/rawRegistry';
import { startRegistry, TestRegistry } from '../harness/registry';

const PATH1 = '/usr/local/bin:/usr/bin:/bin';
const PATH2 = '/opt/base2/bin:/usr/local/bin:/usr/bin:/bin';
const HEALTH1 = { Test: ['CMD', '/bin/check', 'v1'], Interval: 30_000_000_000, Retries: 3 };
const HEALTH2 = { Test: ['CMD', '/bin/check', 'v2'], Interval: 10_000_000_000, Retries: 3 };
const ENTRY2 = ['/usr/bin/env', '-u', 'DEBUG'];
// umoci resolves the configured USER when it unpacks an image to add a layer.
const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nbase1:x:1001:1001::/base1:/bin/sh\nbase2:x:1002:1002::/base2:/bin/sh\napp:x:2000:2000::/app:/bin/sh\n';

const BASE2_SETTINGS = {
  Env: [`PATH=${PATH2}`, 'BASE_VERSION=2', 'BASE2_ONLY=yes'],
  Labels: { 'org.example.base': 'base2', 'org.example.vendor': 'example' },
  ExposedPorts: { '80/tcp': {}, '82/tcp': {} },
  User: 'base2',
  WorkingDir: '/base2',
  Entrypoint: ENTRY2,
  Cmd: ['/bin/bash'],
  Healthcheck: HEALTH2,
};

const BASES: Record<'base1' | 'base2', BuildOptions> = {
  base1: {
    layers: [{ files: { '/etc/base-version': '1', '/base1-only.txt': 'only in base 1\n', '/etc/passwd': PASSWD }, createdBy: 'ADD base1 /' }],
    config: {
      env: [`PATH=${PATH1}`, 'BASE_VERSION=1', 'BASE1_ONLY=yes'],
      labels: { 'org.example.base': 'base1', 'org.example.vendor': 'example', 'org.example.only1': 'x' },
      user: 'base1',
      workingDir: '/base1',
      exposedPorts: ['80/tcp', '81/tcp'],
      entrypoint: ['/usr/bin/env'],
      cmd: ['/bin/sh'],
    },
    emptyLayerHistory: ['HEALTHCHECK --interval=30s --retries=3 CMD ["/bin/check","v1"]'],
    rawConfig: { Healthcheck: HEALTH1 },
  },
  base2: {
    layers: [{ files: { '/etc/base-version': '2', '/base2-only.txt': 'only in base 2\n', '/etc/passwd': PASSWD }, createdBy: 'ADD base2 /' }],
    config: {
      env: BASE2_SETTINGS.Env,
      labels: BASE2_SETTINGS.Labels,
      user: 'base2',
      workingDir: '/base2',
      exposedPorts: ['80/tcp', '82/tcp'],
      entrypoint: ENTRY2,
      cmd: ['/bin/bash'],
    },
    emptyLayerHistory: ['HEALTHCHECK --interval=10s --retries=3 CMD ["/bin/check","v2"]'],
    rawConfig: { Healthcheck: HEALTH2 },
  },
};

/** The apps, all built FROM base:1 with one file layer of their own. */
const APPS: Record<string, Omit<BuildOptions, 'layers' | 'base'>> = {
  inherit: {},
  override: { config: { env: ['APP_MODE=prod'], labels: { 'org.example.app': 'override', 'org.example.vendor': 'custom' }, exposedPorts: ['8080/tcp'], volumes: ['/data'], stopSignal: 'SIGINT' } },
  path: { config: { env: [`PATH=/app/bin:${PATH1}`] } },
  conflict: {
    config: { env: ['BASE_VERSION=custom'], labels: { 'org.example.base': 'mine' }, user: 'app', workingDir: '/app', cmd: ['/app/serve'] },
    emptyLayerHistory: ['HEALTHCHECK CMD ["/app/health"]'],
    rawConfig: { Healthcheck: { Test: ['CMD', '/app/health'] } },
  },
  // ENTRYPOINT ["/app/run"] then CMD ["/bin/sh"]: the app wrote the old base's CMD again.
  entrypoint: { config: { entrypoint: ['/app/run'], cmd: ['/bin/sh'] } },
  // ENTRYPOINT ["/app/run"] alone: Docker resets the inherited CMD, which umoci does not do.
  'entrypoint-only': { config: { entrypoint: ['/app/run'] }, rawConfig: { Cmd: null } },
};

type Settings = Record<string, unknown>;
interface Decision {
  field: string;
  key: string;
  decision: string;
  oldBase: unknown;
  app: unknown;
  newBase: unknown;
  result: unknown;
}

describe('config merge against a real registry', () => {
  let reg: TestRegistry;
  let host: string;
  const built: OciLayoutImage[] = [];
  const appSettings = new Map<string, Settings>();

  before(async () => {
    reg = await startRegistry();
    host = reg.host;
    const [base1, base2] = await Promise.all([buildImage(BASES.base1), buildImage(BASES.base2)]);
    built.push(base1, base2);
    await Promise.all([pushImage(base1, `${host}/cbase:1`), pushImage(base2, `${host}/cbase:2`)]);
    await Promise.all(
      Object.entries(APPS).map(async ([name, opts]) => {
        const app = await buildImage({ ...opts, base: base1, layers: [{ files: { [`/app/${name}.txt`]: `${name}\n` }, createdBy: `COPY ${name}.txt /app/` }] });
        built.push(app);
        appSettings.set(name, app.config.config as Settings);
        await pushImage(app, `${host}/capp:${name}`);
      }),
    );
  });
  after(async () => {
    await Promise.all(built.map((b) => b.cleanup()));
    await reg?.stop();
  });

  /** Rebases capp:NAME onto cbase:2 with the CLI; returns its JSON, its stderr and the pushed container settings. */
  async function rebase(name: string, ...extra: string[]): Promise<{ json: { configMerge: { mode: string; decisions: Decision[] } }; err: string[]; settings: Settings }> {
    const r = await cli(`${host}/capp:${name}`, '-t', `${host}/capp:${name}-on-2`, '-b', `${host}/cbase:2`, '-s', `${host}/cbase:1`, '--json', ...extra);
    assert.equal(r.code, 0, r.err.join('\n'));
    const m = await fetchManifest(host, 'capp', `${name}-on-2`);
    const config = JSON.parse((await fetchBlob(host, 'capp', m.json.config.digest)).toString());
    // Platform, diff_ids and history keep their rules: the new base's part, then the app's.
    assert.equal(config.rootfs.diff_ids.length, m.json.layers.length);
    assert.equal(config.history.filter((h: { empty_layer?: boolean }) => !h.empty_layer).length, m.json.layers.length);
    return { json: JSON.parse(r.out.join('\n')), err: r.err, settings: config.config };
  }

  /** containerd pulls the rebased image into a fresh root, checking every layer against diff_ids. */
  async function pulls(name: string): Promise<void> {
    const pulled = await pullAndUnpack(`${host}/capp:${name}-on-2`);
    try {
      assert.equal(pulled.readFile('/etc/base-version'), '2');
      assert.ok(!pulled.exists('/base1-only.txt'));
      assert.equal(pulled.readFile(`/app/${name}.txt`), `${name}\n`);
    } finally {
      await pulled.cleanup();
    }
  }

  const decided = (decisions: Decision[], field: string, key = field) => {
    const d = decisions.find((x) => x.field === field && x.key === key);
    assert.ok(d, `no decision for ${field} ${key}`);
    return d;
  };

  test('an app that inherits everything gets the new base settings, key by key', async () => {
    const { json, settings } = await rebase('inherit');
    assert.deepEqual(settings.Env, BASE2_SETTINGS.Env);
    assert.deepEqual(settings.Labels, BASE2_SETTINGS.Labels, 'org.example.base is base2 and only1 is gone');
    assert.deepEqual(settings.ExposedPorts, BASE2_SETTINGS.ExposedPorts);
    assert.equal(settings.User, 'base2');
    assert.equal(settings.WorkingDir, '/base2');
    assert.deepEqual(settings.Entrypoint, ENTRY2);
    assert.deepEqual(settings.Cmd, ['/bin/bash']);
    assert.deepEqual(settings.Healthcheck, HEALTH2);
    assert.deepEqual(Object.keys(settings).sort(), Object.keys(BASE2_SETTINGS).sort());
    assert.equal(decided(json.configMerge.decisions, 'Env', 'BASE1_ONLY').decision, 'removed');
    assert.equal(decided(json.configMerge.decisions, 'Labels', 'org.example.only1').decision, 'removed');
    assert.equal(decided(json.configMerge.decisions, 'ExposedPorts', '81/tcp').decision, 'removed');
    assert.equal(decided(json.configMerge.decisions, 'Healthcheck').decision, 'new-base');
    assert.ok(!json.configMerge.decisions.some((d) => d.decision === 'conflict' || d.decision === 'app-kept'));
    await pulls('inherit');
  });

  test('an app that adds and overrides keys keeps them; what it inherited moves to the new base', async () => {
    const { json, err, settings } = await rebase('override');
    assert.deepEqual(settings.Env, [...BASE2_SETTINGS.Env, 'APP_MODE=prod']);
    assert.deepEqual(settings.Labels, { 'org.example.base': 'base2', 'org.example.vendor': 'custom', 'org.example.app': 'override' });
    assert.deepEqual(settings.ExposedPorts, { '80/tcp': {}, '82/tcp': {}, '8080/tcp': {} });
    assert.deepEqual(settings.Volumes, { '/data': {} });
    assert.equal(settings.StopSignal, 'SIGINT');
    assert.equal(settings.User, 'base2');
    assert.equal(settings.WorkingDir, '/base2');
    assert.deepEqual(settings.Entrypoint, ENTRY2);
    assert.deepEqual(settings.Cmd, ['/bin/bash']);
    assert.deepEqual(settings.Healthcheck, HEALTH2);
    const vendor = decided(json.configMerge.decisions, 'Labels', 'org.example.vendor');
    assert.deepEqual([vendor.decision, vendor.oldBase, vendor.app, vendor.newBase, vendor.result], ['app-kept', 'example', 'custom', 'example', 'custom']);
    assert.ok(!err.some((l) => l.startsWith('Warning: Config conflict')), err.join('\n'));
    await pulls('override');
  });

  test('ENV PATH=/app/bin:$PATH gets the new base PATH behind /app/bin, and says so', async () => {
    const { json, err, settings } = await rebase('path');
    assert.deepEqual(settings.Env, [`PATH=/app/bin:${PATH2}`, 'BASE_VERSION=2', 'BASE2_ONLY=yes']);
    const path = decided(json.configMerge.decisions, 'Env', 'PATH');
    assert.deepEqual([path.decision, path.oldBase, path.app, path.newBase, path.result], ['path-segment-replaced', PATH1, `/app/bin:${PATH1}`, PATH2, `/app/bin:${PATH2}`]);
    assert.ok(err.includes(`Config Env PATH: the old base's "${PATH1}" inside the app's "/app/bin:${PATH1}" was replaced by the new base's "${PATH2}", giving "/app/bin:${PATH2}".`), err.join('\n'));
    assert.deepEqual(settings.Labels, BASE2_SETTINGS.Labels);
    await pulls('path');
  });

  test('values both the app and the new base changed stay the app and are warned about', async () => {
    const { json, err, settings } = await rebase('conflict');
    assert.deepEqual(settings.Env, [`PATH=${PATH2}`, 'BASE_VERSION=custom', 'BASE2_ONLY=yes']);
    assert.deepEqual(settings.Labels, { 'org.example.base': 'mine', 'org.example.vendor': 'example' });
    assert.equal(settings.User, 'app');
    assert.equal(settings.WorkingDir, '/app');
    assert.deepEqual(settings.Cmd, ['/app/serve']);
    assert.deepEqual(settings.Healthcheck, { Test: ['CMD', '/app/health'] });
    assert.deepEqual(settings.Entrypoint, ENTRY2, 'inherited, so from the new base');
    assert.deepEqual(settings.ExposedPorts, BASE2_SETTINGS.ExposedPorts);
    const conflicts = json.configMerge.decisions.filter((d) => d.decision === 'conflict').map((d) => `${d.field} ${d.key}`);
    assert.deepEqual(conflicts, ['Env BASE_VERSION', 'Labels org.example.base', 'User User', 'WorkingDir WorkingDir', 'Cmd Cmd', 'Healthcheck Healthcheck']);
    const warnings = err.filter((l) => l.startsWith('Warning: Config conflict'));
    assert.equal(warnings.length, 6, err.join('\n'));
    assert.equal(warnings[0], `Warning: Config conflict on Env BASE_VERSION: the app set "custom" and the new base ${host}/cbase:2 changed it from "1" to "2"; the app's value was kept, check that it still fits the new base.`);
    await pulls('conflict');
  });

  test('ENTRYPOINT resets CMD: an app that set ENTRYPOINT and CMD ["/bin/sh"] keeps that CMD', async () => {
    const { json, settings } = await rebase('entrypoint');
    assert.deepEqual(settings.Entrypoint, ['/app/run']);
    assert.deepEqual(settings.Cmd, ['/bin/sh'], 'the app wrote it, although it equals the old base CMD; not the new base /bin/bash');
    const cmd = decided(json.configMerge.decisions, 'Cmd');
    assert.deepEqual([cmd.decision, cmd.oldBase, cmd.app, cmd.newBase, cmd.result], ['app-kept', ['/bin/sh'], ['/bin/sh'], ['/bin/bash'], ['/bin/sh']]);
    assert.equal(decided(json.configMerge.decisions, 'Entrypoint').decision, 'conflict');
    assert.equal(settings.User, 'base2');
    await pulls('entrypoint');
  });

  test('ENTRYPOINT alone: the emptied CMD stays empty instead of taking the new base CMD', async () => {
    const { json, settings } = await rebase('entrypoint-only');
    assert.deepEqual(settings.Entrypoint, ['/app/run']);
    assert.equal(settings.Cmd, undefined);
    assert.equal(decided(json.configMerge.decisions, 'Cmd').decision, 'app-kept');
    assert.deepEqual(settings.Env, BASE2_SETTINGS.Env);
    await pulls('entrypoint-only');
  });

  test('--keep-config keeps the app settings untouched, old base values included', async () => {
    const r = await cli(`${host}/capp:conflict`, '-t', `${host}/capp:kept`, '-b', `${host}/cbase:2`, '-s', `${host}/cbase:1`, '--keep-config', '--json');
    assert.equal(r.code, 0, r.err.join('\n'));
    const m = await fetchManifest(host, 'capp', 'kept');
    const config = JSON.parse((await fetchBlob(host, 'capp', m.json.config.digest)).toString());
    assert.deepEqual(config.config, appSettings.get('conflict'));
    assert.equal(config.config.Labels['org.example.only1'], 'x');
    assert.deepEqual(JSON.parse(r.out.join('\n')).configMerge, { mode: 'keep', conflicts: 0, decisions: [] });
    assert.ok(r.err.includes("Config: the app's container settings are kept as they are (--keep-config)."), r.err.join('\n'));
    assert.ok(!r.err.some((l) => l.startsWith('Warning: Config conflict')));
    const pulled = await pullAndUnpack(`${host}/capp:kept`);
    try {
      assert.equal(pulled.readFile('/etc/base-version'), '2');
    } finally {
      await pulled.cleanup();
    }
  });

  test('--dry-run --json lists every decision with its four values and writes nothing', async () => {
    const r = await cli(`${host}/capp:override`, '-t', `${host}/capp:dry`, '-b', `${host}/cbase:2`, '--dry-run', '--json');
    assert.equal(r.code, 0, r.err.join('\n'));
    const plan = JSON.parse(r.out.join('\n'));
    assert.equal(plan.dryRun, true);
    assert.equal(plan.configMerge.mode, 'merge');
    assert.deepEqual(
      plan.configMerge.decisions.map((d: Decision) => [`${d.field} ${d.key}`, d.decision, d.oldBase, d.app, d.newBase, d.result]),
      [
        ['Env PATH', 'new-base', PATH1, PATH1, PATH2, PATH2],
        ['Env BASE_VERSION', 'new-base', '1', '1', '2', '2'],
        ['Env BASE2_ONLY', 'new-base', null, null, 'yes', 'yes'],
        ['Env BASE1_ONLY', 'removed', 'yes', 'yes', null, null],
        ['Env APP_MODE', 'app-kept', null, 'prod', null, 'prod'],
        ['Labels org.example.base', 'new-base', 'base1', 'base1', 'base2', 'base2'],
        ['Labels org.example.vendor', 'app-kept', 'example', 'custom', 'example', 'custom'],
        // Go writes map keys sorted, so the app's own keys and inherited ones interleave.
        ['Labels org.example.app', 'app-kept', null, 'override', null, 'override'],
        ['Labels org.example.only1', 'removed', 'x', 'x', null, null],
        ['ExposedPorts 80/tcp', 'unchanged', {}, {}, {}, {}],
        ['ExposedPorts 82/tcp', 'new-base', null, null, {}, {}],
        ['ExposedPorts 8080/tcp', 'app-kept', null, {}, null, {}],
        ['ExposedPorts 81/tcp', 'removed', {}, {}, null, null],
        ['Volumes /data', 'app-kept', null, {}, null, {}],
        ['User User', 'new-base', 'base1', 'base1', 'base2', 'base2'],
        ['WorkingDir WorkingDir', 'new-base', '/base1', '/base1', '/base2', '/base2'],
        ['Entrypoint Entrypoint', 'new-base', ['/usr/bin/env'], ['/usr/bin/env'], ENTRY2, ENTRY2],
        ['Cmd Cmd', 'new-base', ['/bin/sh'], ['/bin/sh'], ['/bin/bash'], ['/bin/bash']],
        ['StopSignal StopSignal', 'app-kept', null, 'SIGINT', null, 'SIGINT'],
        ['Healthcheck Healthcheck', 'new-base', HEALTH1, HEALTH1, HEALTH2, HEALTH2],
      ],
    );
    assert.deepEqual(plan.new.config.config, { ...BASE2_SETTINGS, Env: [...BASE2_SETTINGS.Env, 'APP_MODE=prod'], Labels: { 'org.example.base': 'base2', 'org.example.vendor': 'custom', 'org.example.app': 'override' }, ExposedPorts: { '80/tcp': {}, '82/tcp': {}, '8080/tcp': {} }, Volumes: { '/data': {} }, StopSignal: 'SIGINT' });
    assert.equal(await tagDigest(host, 'capp', 'dry'), undefined);

    // The text form lists the same keys, one line each.
    const text = await cli(`${host}/capp:conflict`, '-t', `${host}/capp:dry`, '-b', `${host}/cbase:2`, '-s', `${host}/cbase:1`, '--dry-run');
    assert.equal(text.code, 0, text.err.join('\n'));
    assert.ok(text.out.some((l) => /^Config \(\d+ keys; old base \| app \| new base -> result\):$/.test(l)), text.out.join('\n'));
    assert.ok(text.out.includes('  conflict              Env BASE_VERSION: "1" | "custom" | "2" -> "custom"'), text.out.join('\n'));
    assert.ok(text.err.some((l) => l.startsWith('Warning: Config conflict on User:')));
    assert.equal(await tagDigest(host, 'capp', 'dry'), undefined);
  });
});
