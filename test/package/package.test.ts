// The package as npm and Node-RED see it: package.json's shape, the compiled node files with
// their .html beside them, the engine entry points, and the example flows.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { assemble } = require('../../scripts/demo-flow');

function exampleFiles(dir = path.join(root, 'examples', 'flows')): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? exampleFiles(path.join(dir, e.name)) : e.name.endsWith('.json') ? [path.join(dir, e.name)] : []);
}

/** The node types registered by each compiled node file, read from its .html. */
function typesOf(htmlFile: string): { type: string; category: string }[] {
  const html = fs.readFileSync(htmlFile, 'utf8');
  return [...html.matchAll(/registerType\(\s*['"]([\w-]+)['"]\s*,\s*\{[\s\S]*?category:\s*['"]([\w-]+)['"]/g)].map((m) => ({ type: m[1], category: m[2] }));
}

describe('package', () => {
  it('declares what npm and Node-RED need', () => {
    assert.equal(pkg.name, '@fieldlink/node-red-fieldlink');
    assert.ok(pkg.license);
    assert.ok(pkg.repository?.url && pkg.bugs?.url);
    for (const k of ['node-red', 'osdp', 'uhppote', 'bacnet', 'spec']) assert.ok(pkg.keywords.includes(k), `keyword ${k}`);
    assert.ok(pkg.keywords.some((k: string) => /pnp/.test(k)), 'a PnP keyword');
    assert.equal(pkg.engines.node, '>=20');
    assert.equal(pkg['node-red'].version, '>=4.0.0');
    assert.equal(pkg.peerDependencies, undefined, 'no peer dependencies (npm would install a second Node-RED)');
    assert.deepEqual(Object.keys(pkg.dependencies).sort(), ['fast-xml-parser', 'serialport']);
    assert.match(pkg.devDependencies['node-red'], /4\.1/);
    assert.equal(pkg.scripts.prepare, 'node scripts/build.js', 'the build runs on prepare, so git installs work');
    assert.ok(pkg.files.includes('dist/') && pkg.files.includes('examples/'));
  });

  it('never commits dist/', () => {
    const ignore = fs.readFileSync(path.join(root, '.gitignore'), 'utf8');
    assert.match(ignore, /^dist\/$/m);
  });

  it('has every node file compiled with its .html beside it, one type name prefix per protocol', () => {
    for (const [set, file] of Object.entries(pkg['node-red'].nodes as Record<string, string>)) {
      const js = path.join(root, file);
      assert.ok(fs.existsSync(js), `${set}: ${file} is not built`);
      const html = js.replace(/\.js$/, '.html');
      assert.ok(fs.existsSync(html), `${set}: no .html beside ${file}`);
      const types = typesOf(html);
      assert.ok(types.length > 0, `${set}: no registerType in ${html}`);
      const protocol = path.basename(path.dirname(file));
      for (const t of types) {
        assert.ok(t.type.startsWith(`${protocol}-`), `${t.type} is named <protocol>-<thing>`);
        assert.ok(t.category === 'fieldlink' || t.category === 'config', `${t.type}: category ${t.category}`);
      }
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      assert.equal(typeof require(js), 'function', `${file} exports the registration function (export =)`);
    }
  });

  it('exposes each engine that exists under its own entry point', () => {
    for (const [entry, target] of Object.entries(pkg.exports as Record<string, { default?: string; types?: string } | string>)) {
      if (typeof target === 'string') continue;
      const protocol = entry.slice(2);
      if (entry !== '.' && !fs.existsSync(path.join(root, 'lib', protocol, 'index.ts'))) continue;
      assert.ok(fs.existsSync(path.join(root, target.default!)), `${entry}: ${target.default} is not built`);
      assert.ok(fs.existsSync(path.join(root, target.types!)), `${entry}: ${target.types} is not built`);
    }
  });

  it('lib/ never imports node-red or nodes/', () => {
    const walk = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []);
    for (const file of walk(path.join(root, 'lib'))) {
      const text = fs.readFileSync(file, 'utf8');
      assert.doesNotMatch(text, /from\s+['"]node-red['"]|require\(['"]node-red['"]\)/, `${file} imports node-red`);
      assert.doesNotMatch(text, /from\s+['"](\.\.\/)+nodes\//, `${file} imports nodes/`);
    }
  });

  describe('example flows', () => {
    const files = exampleFiles();
    const fieldlinkTypes = new Map<string, string>();
    for (const file of Object.values(pkg['node-red'].nodes as Record<string, string>)) {
      const html = path.join(root, file).replace(/\.js$/, '.html');
      if (fs.existsSync(html)) for (const t of typesOf(html)) fieldlinkTypes.set(t.type, t.category);
    }

    it('the demo flow is assembled from the protocol demo tabs and up to date', () => {
      const current = fs.readFileSync(path.join(root, 'examples', 'flows', 'demo.json'), 'utf8');
      assert.equal(current, assemble().text, 'examples/flows/demo.json is stale: run node scripts/demo-flow.js');
    });

    it('each example parses, has a Comment saying what it shows, and uses only known fieldlink types', () => {
      for (const file of files) {
        const flow = JSON.parse(fs.readFileSync(file, 'utf8'));
        assert.ok(Array.isArray(flow), `${file} is a flow array`);
        assert.ok(flow.some((n: { type: string }) => n.type === 'comment'), `${file} has a Comment node`);
        for (const n of flow as { type: string; id: string }[]) {
          if (/^(osdp|uhppote|bacnet|pnp|spec)-/.test(n.type)) assert.ok(fieldlinkTypes.has(n.type), `${file}: unknown type ${n.type}`);
        }
        const ids = flow.map((n: { id: string }) => n.id);
        assert.equal(new Set(ids).size, ids.length, `${file}: duplicate node ids`);
      }
    });

    it('uses every non-config node type in at least one example', () => {
      const used = new Set(files.flatMap((f) => JSON.parse(fs.readFileSync(f, 'utf8')).map((n: { type: string }) => n.type)));
      for (const [type, category] of fieldlinkTypes) if (category !== 'config') assert.ok(used.has(type), `no example uses ${type}`);
    });
  });
});
