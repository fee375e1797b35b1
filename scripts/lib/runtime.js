'use strict';
// Running Node-RED and the simulators from this checkout: used by `npm start`, the browser check
// and the package checks. Node-RED comes from the dev dependency; fieldlink is linked into a userDir
// of its own, so it loads exactly as an installed package would (nodes, examples, icons).
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');
const readline = require('node:readline');

const root = path.resolve(__dirname, '..', '..');
const MODULE = '@fieldlink/node-red-fieldlink';

/** A free TCP port on `host` (the kernel's choice). */
function freePort(host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Makes `userDir` a Node-RED user directory with fieldlink linked in (unless `link` is false, for
 * a userDir that installs the package itself), `flowFile` deployed as its flows, and settings that
 * listen on `host:port`.
 */
function prepareUserDir({ userDir, host, port, flowFile, link = true }) {
  fs.mkdirSync(userDir, { recursive: true });
  if (link) {
    const scopeDir = path.join(userDir, 'node_modules', '@fieldlink');
    fs.mkdirSync(scopeDir, { recursive: true });
    const target = path.join(scopeDir, 'node-red-fieldlink');
    fs.rmSync(target, { recursive: true, force: true });
    fs.symlinkSync(root, target, 'dir');
    fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({
      name: 'fieldlink-userdir', private: true, description: 'Node-RED user directory made by fieldlink scripts',
      dependencies: { [MODULE]: `file:${root}` },
    }, null, 2) + '\n');
  }
  if (flowFile) fs.copyFileSync(flowFile, path.join(userDir, 'flows.json'));
  fs.rmSync(path.join(userDir, 'flows_cred.json'), { force: true });
  fs.writeFileSync(path.join(userDir, 'settings.js'), `// Written by fieldlink's scripts/lib/runtime.js
module.exports = {
  uiHost: ${JSON.stringify(host)},
  uiPort: ${Number(port)},
  flowFile: 'flows.json',
  credentialSecret: 'fieldlink-demo-only',
  flowFilePretty: true,
  diagnostics: { enabled: false },
  telemetry: { enabled: false },
  logging: { console: { level: 'info', metrics: false, audit: false } },
  editorTheme: { projects: { enabled: false }, tours: false },
  externalModules: { autoInstall: false, palette: { allowInstall: false } },
};
`);
}

/** Waits until `url` answers HTTP 200 or the child exits. */
function waitForHttp(url, child, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    let exited = false;
    child.once('exit', (code) => {
      exited = true;
      reject(new Error(`Node-RED exited (${code}) before answering at ${url}`));
    });
    const attempt = () => {
      if (exited) return;
      const req = http.get(url, (res) => {
        res.resume();
        if (res.statusCode === 200) resolve();
        else retry();
      });
      req.on('error', retry);
      req.setTimeout(2000, () => req.destroy());
    };
    const retry = () => {
      if (exited) return;
      if (Date.now() > deadline) return reject(new Error(`no answer from ${url} after ${timeoutMs} ms`));
      setTimeout(attempt, 250);
    };
    attempt();
  });
}

/**
 * Starts Node-RED on `userDir` (see prepareUserDir). Output lines go to `onLine`. Resolves with
 * `{ child, url, stop() }` once the editor answers.
 */
async function startNodeRed({ userDir, host, port, onLine = () => {}, nodeRedDir }) {
  const redJs = path.join(nodeRedDir || path.dirname(require.resolve('node-red/package.json', { paths: [root] })), 'red.js');
  const child = spawn(process.execPath, [redJs, '--userDir', userDir, '--settings', path.join(userDir, 'settings.js')], {
    cwd: userDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_RED_ENABLE_PROJECTS: 'false' },
  });
  const lines = [];
  for (const stream of [child.stdout, child.stderr]) {
    readline.createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      if (lines.length > 2000) lines.shift();
      onLine(line);
    });
  }
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;
  try {
    await waitForHttp(url + 'settings', child);
  } catch (err) {
    child.kill('SIGKILL');
    err.message += `\n--- Node-RED output ---\n${lines.slice(-40).join('\n')}`;
    throw err;
  }
  const stop = () => new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGINT');
  });
  return { child, url, lines, stop };
}

/**
 * Starts `fieldlink-sim <protocol> ...args` and resolves once it prints its listening line.
 * Resolves `{ protocol, listening, child, stop() }`.
 */
function startSim(protocol, args, { onLog = () => {} } = {}) {
  const bin = path.join(root, 'bin', 'fieldlink-sim.js');
  const child = spawn(process.execPath, [bin, protocol, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const logged = [];
  readline.createInterface({ input: child.stderr }).on('line', (line) => {
    logged.push(line);
    if (logged.length > 20) logged.shift();
    onLog(line);
  });
  return new Promise((resolve, reject) => {
    const out = readline.createInterface({ input: child.stdout });
    // Say why (a port in use by a running `npm start`, say): the simulator wrote it on stderr.
    const onExit = (code) => setImmediate(() =>
      reject(new Error(`fieldlink-sim ${protocol} ${args.join(' ')} exited (${code}) before listening: ${logged.join(' | ')}`)));
    child.once('exit', onExit);
    out.once('line', (line) => {
      child.off('exit', onExit);
      let info;
      try {
        info = JSON.parse(line);
      } catch {
        child.kill('SIGKILL');
        return reject(new Error(`fieldlink-sim ${protocol}: unexpected first line ${line}`));
      }
      const stop = () => new Promise((res) => {
        if (child.exitCode !== null || child.signalCode !== null) return res(child.exitCode);
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', (code) => {
          clearTimeout(timer);
          res(code);
        });
        child.kill('SIGTERM');
      });
      resolve({ ...info, child, stop });
    });
  });
}

/** The simulators this build has, with the arguments and summary the demo uses. */
function demoSimulators() {
  const cliPath = path.join(root, 'dist', 'lib', 'cli', 'fieldlink-sim.js');
  const { availableProtocols, loadSimCli } = require(cliPath);
  return availableProtocols().map((p) => {
    const cli = loadSimCli(p);
    return { protocol: p, args: cli.demoArgs, summary: cli.demoSummary };
  });
}

/** GET a JSON document from the admin API. */
function getJson(url) {
  return new Promise((resolve, reject) => {
    http.get(url, { headers: { 'Node-RED-API-Version': 'v2', Accept: 'application/json' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`GET ${url}: HTTP ${res.statusCode} ${body.slice(0, 200)}`));
        try {
          resolve(JSON.parse(body));
        } catch (err) {
          reject(err);
        }
      });
    }).on('error', reject);
  });
}

module.exports = { root, MODULE, freePort, prepareUserDir, startNodeRed, startSim, demoSimulators, getJson, waitForHttp };
