/**
 * Real registries for the VS Code suites, started by the runner before code-server so the
 * extension host reaches them through IMAGE_REBASE_TEST_* variables:
 * - REGISTRY: anonymous, with the sample images (base, app, multi index, `many` with 25 tags), and
 *   two-platform indexes (linux/amd64 + linux/arm64/v8): mbase:1 and mbase:2, mapp:1 on mbase:1
 *   (with an attestation and an unknown artifact), mbase:2-amd64only (see seedLinuxIndexes);
 *   pkgs/debian:12.5 and :12.8 with dpkg databases, pkgs/app:1 on 12.5 (see packageFixtures.ts);
 * - BASIC_REGISTRY / TOKEN_REGISTRY: htpasswd and Bearer-token auth, with USER / PASSWORD;
 * - FLAKY_REGISTRY with CONTROL: a registry the tests can stop and start (POST CONTROL/stop|start);
 * - FAULTY_REGISTRY: a fault proxy in front of REGISTRY (same content) whose faults the tests
 *   program through CONTROL/faults (see faultControl.ts).
 * - FLEET_REGISTRY: the scan fleet of test/harness/scanFixtures.ts (bases that moved, apps on
 *   them; without the gen/ matrix), its own registry so the fleet suites' in-place rebases touch
 *   no other suite's images; FLEET holds its digests by name. It is a fault proxy in front of that
 *   registry (seeded through it, so annotations name it too), programmed through CONTROL/fleet/faults.
 */
import * as http from 'node:http';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, TestRegistry } from '../harness/registry';
import { startTokenServer, TokenServer } from '../harness/tokenServer';
import { seedSampleRegistry, SampleRegistry } from '../harness/samples';
import { buildImage, pushImage } from '../harness/fixtures';
import { pullAndUnpack } from '../harness/containerd';
import { seedLinuxIndexes, LinuxIndexes } from '../harness/indexFixtures';
import { startFaultProxy, FaultProxy } from '../harness/faultProxy';
import { handleFaults } from './faultControl';
import { seedPackageFixtures } from './packageFixtures';
import { seedFleet } from '../harness/scanFixtures';

/** Registry strings that would run script if any view rendered them as HTML. */
export const HOSTILE = '<img src=x onerror="document.title=\'pwned\'"><script>document.title="pwned"</script>';

export const USER = 'tester';
export const PASSWORD = 'correct horse battery staple';

export async function setup() {
  const tokens: TokenServer = await startTokenServer({ users: { [USER]: PASSWORD } });
  const [plain, basic, token, flaky, fleetRegistry] = await Promise.all([
    startRegistry(),
    startRegistry({ htpasswd: { username: USER, password: PASSWORD } }),
    startRegistry({ token: tokens.authConfig }),
    startRegistry(),
    startRegistry(),
  ]);
  // Crafted from tiny layers through the registry API: about a second.
  const fleetFaulty = await startFaultProxy(fleetRegistry.host);
  const fleet = await seedFleet(fleetFaulty.host, fleetRegistry.storageDir, { matrix: false });
  const samples: SampleRegistry = await seedSampleRegistry(plain.host);
  const indexes: LinuxIndexes = await seedLinuxIndexes(plain.host);
  await seedPackageFixtures(plain.host);
  const creds = { username: USER, password: PASSWORD };
  await Promise.all([
    pushImage(samples.standard.built.base1, `${basic.host}/private/base:1`, { creds }),
    pushImage(samples.standard.built.base1, `${token.host}/private/base:1`, { creds }),
    pushImage(samples.standard.built.base1, `${flaky.host}/flaky/base:1`),
  ]);

  // An app whose labels, annotations and history carry markup: views must show it as text.
  const hostile = await buildImage({
    base: samples.standard.built.base1,
    layers: [{ files: { '/app/evil.txt': 'evil\n' }, createdBy: `RUN echo ${HOSTILE}` }],
    config: { labels: { 'org.example.note': HOSTILE } },
    annotations: { 'org.example.note': HOSTILE },
  });
  await pushImage(hostile, `${plain.host}/hostile:1`);
  await hostile.cleanup();

  // In front of the plain registry rather than its own: no extra registry to start and seed.
  const faulty = await startFaultProxy(plain.host);
  const control = await startControl(flaky, faulty, fleetFaulty);
  const workspace = await mkdtemp(join(tmpdir(), 'image-rebase-ws-'));
  const dockerConfig = await mkdtemp(join(tmpdir(), 'image-rebase-docker-'));
  await mkdir(join(workspace, '.vscode'), { recursive: true });
  await writeFile(join(workspace, 'README.txt'), 'Workspace for the Image Rebase VS Code tests.\n');

  return {
    workspace,
    env: {
      IMAGE_REBASE_TEST_REGISTRY: plain.host,
      IMAGE_REBASE_TEST_BASIC_REGISTRY: basic.host,
      IMAGE_REBASE_TEST_TOKEN_REGISTRY: token.host,
      IMAGE_REBASE_TEST_FLAKY_REGISTRY: flaky.host,
      IMAGE_REBASE_TEST_FAULTY_REGISTRY: faulty.host,
      IMAGE_REBASE_TEST_CONTROL: control.url,
      IMAGE_REBASE_TEST_FLEET_REGISTRY: fleetFaulty.host,
      IMAGE_REBASE_TEST_FLEET: JSON.stringify(fleet.d),
      IMAGE_REBASE_TEST_USER: USER,
      IMAGE_REBASE_TEST_PASSWORD: PASSWORD,
      IMAGE_REBASE_TEST_HOSTILE: HOSTILE,
      IMAGE_REBASE_TEST_SEED: JSON.stringify({
        base1: samples.standard.oci.base1.digest,
        base2: samples.standard.oci.base2.digest,
        app1: samples.standard.oci.app1.digest,
        app1Layers: samples.standard.oci.app1.layers.map((l) => l.digest),
        multi: samples.multiDigest,
        manyTags: samples.manyTags,
        mapp1: indexes.app1Index.digest,
        mapp1Attestation: indexes.app1Index.attestation.digest,
        mapp1Artifact: indexes.app1Index.artifact.digest,
        mbase2Layers: { amd64: indexes.base2.amd64.layers.map((l) => l.digest), arm64: indexes.base2.arm64.layers.map((l) => l.digest) },
        mbase2Amd64: indexes.base2.amd64.digest,
        mbase2Arm64: indexes.base2.arm64.digest,
      }),
      // Keep the tests' Docker logins away from the machine's.
      DOCKER_CONFIG: dockerConfig,
    },
    settings: {
      'imageRebase.registries': [plain.host],
      'imageRebase.pageSize': 10,
      'imageRebase.logLevel': 'debug',
    },
    async teardown() {
      control.server.close();
      await faulty.stop();
      await fleetFaulty.stop();
      await samples.cleanup();
      await indexes.cleanup();
      await Promise.all([plain.stop(), basic.stop(), token.stop(), flaky.stop(), fleetRegistry.stop(), tokens.stop()]);
      await Promise.all([workspace, dockerConfig].map((d) => rm(d, { recursive: true, force: true })));
    },
  };
}

/**
 * A loopback endpoint for tests in the extension host: stop and start a registry, and pull an
 * image with containerd (which runs here, beside the registries) to read files back:
 * GET /pull?ref=REF&file=PATH[&file=…][&platform=os/arch[/variant]]; and program the fault proxy
 * (/faults routes, see faultControl.ts; /fleet/faults for the fleet registry's proxy).
 */
async function startControl(reg: TestRegistry, faulty: FaultProxy, fleetFaulty: FaultProxy): Promise<{ url: string; server: http.Server }> {
  const server = http.createServer((req, res) => {
    // CONTROL/fleet/faults… programs the fleet registry's proxy: faultControl(`${CONTROL}/fleet`).
    if (req.url?.startsWith('/fleet/')) {
      req.url = req.url.slice('/fleet'.length);
      if (handleFaults(fleetFaulty, req, res)) return;
    }
    if (handleFaults(faulty, req, res)) return;
    const url = new URL(req.url ?? '/', 'http://control');
    if (url.pathname === '/pull') {
      void pullFiles(url.searchParams.get('ref') ?? '', url.searchParams.getAll('file'), url.searchParams.get('platform') ?? undefined).then(
        (files) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(files)),
        (e: unknown) => res.writeHead(500).end(String((e as Error)?.message ?? e)),
      );
      return;
    }
    const action = req.url === '/stop' ? reg.kill() : req.url === '/start' ? reg.start() : undefined;
    if (!action) {
      res.writeHead(404).end();
      return;
    }
    action.then(
      () => res.writeHead(200).end('ok'),
      (e: unknown) => res.writeHead(500).end(String(e)),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, server };
}

/**
 * Pulls into a fresh containerd root (so every layer is checked against diff_ids) and reads files;
 * `platform` (os/arch[/variant]) picks the image of a multi-platform ref, as ctr --platform does.
 */
async function pullFiles(ref: string, files: string[], platform?: string): Promise<Record<string, string | null>> {
  const pulled = await pullAndUnpack(ref, platform ? { platform } : {});
  try {
    return Object.fromEntries(files.map((f) => [f, pulled.readFile(f) ?? null]));
  } finally {
    await pulled.cleanup();
  }
}
