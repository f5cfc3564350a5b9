'use strict';
// Starts a Stagematch server of its own for the browser tests: a fresh SQLite database in a
// temporary folder, filled by `stagematch demo`, served on a free loopback port.
const { spawn, execFile } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

// tests/browser/lib -> the repository root.
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

function binaryPath() {
  const bin = process.env.STAGEMATCH_BIN || path.join('build', 'stagematch');
  return path.resolve(REPO_ROOT, bin);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The binary is rebuilt now and then on a developer's machine: give it a moment to reappear.
async function waitForBinary(bin, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.accessSync(bin, fs.constants.X_OK);
      return;
    } catch (err) {
      if (Date.now() > deadline) {
        throw new Error(`stagematch binary not found or not executable: ${bin} ` +
          '(build it with script/test or cmake, or set STAGEMATCH_BIN)');
      }
      await sleep(1000);
    }
  }
}

function run(bin, args, options) {
  return new Promise((resolve, reject) => {
    execFile(bin, args, options, (err, stdout, stderr) => {
      if (err) {
        const how = err.killed ? `was killed (${err.signal})` : `exited with ${err.code}`;
        reject(new Error(`${bin} ${args.join(' ')} ${how}\n` +
          `--- stdout ---\n${stdout}--- stderr ---\n${stderr}`));
      } else {
        resolve({ stdout, stderr });
      }
    });
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function healthy(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

// Returns {baseUrl, tmpDir, demoOutput, log(), stop()}. stop() is safe to call more than once.
async function startServer() {
  const bin = binaryPath();
  await waitForBinary(bin, 120000);
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagematch-browser-'));
  const db = `sqlite:${path.join(tmpDir, 'demo.db')}`;

  let demo;
  try {
    demo = await run(bin, ['demo', '--db', db], {
      cwd: REPO_ROOT,
      timeout: 180000,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (err) {
    fs.rmSync(tmpDir, { recursive: true, force: true });
    throw new Error(`stagematch demo failed: ${err.message}`);
  }

  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const logPath = path.join(tmpDir, 'serve.log');
  const logFd = fs.openSync(logPath, 'a');
  const child = spawn(bin, [
    'serve',
    '--db', db,
    '--listen', `127.0.0.1:${port}`,
    '--workflows', 'workflows',
    '--rules', 'rules',
    '--mail-templates', 'mail-templates',
  ], { cwd: REPO_ROOT, stdio: ['ignore', logFd, logFd] });
  fs.closeSync(logFd);

  let exited = null;
  const exitPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    });
  });
  // If the test process dies without running its after-hooks, do not leave a server behind.
  const killOnExit = () => {
    if (!exited) {
      try { child.kill('SIGKILL'); } catch { /* already gone */ }
    }
  };
  process.on('exit', killOnExit);

  const log = () => {
    try { return fs.readFileSync(logPath, 'utf8'); } catch { return ''; }
  };

  let stopped = false;
  const stop = async () => {
    if (stopped) return exited;
    stopped = true;
    if (!exited) {
      child.kill('SIGTERM');
      const timer = sleep(10000).then(() => 'timeout');
      if ((await Promise.race([exitPromise, timer])) === 'timeout') {
        child.kill('SIGKILL');
        await exitPromise;
      }
    }
    process.removeListener('exit', killOnExit);
    if (!process.env.STAGEMATCH_KEEP_TMP) fs.rmSync(tmpDir, { recursive: true, force: true });
    return exited;
  };

  const deadline = Date.now() + 30000;
  for (;;) {
    if (exited) {
      const text = log();
      await stop();
      throw new Error(`stagematch serve exited early (${JSON.stringify(exited)}):\n${text}`);
    }
    if (await healthy(`${baseUrl}/healthz`)) break;
    if (Date.now() > deadline) {
      const text = log();
      await stop();
      throw new Error(`stagematch serve did not answer GET /healthz within 30 s:\n${text}`);
    }
    await sleep(200);
  }

  return { baseUrl, tmpDir, demoOutput: demo.stdout, log, stop };
}

module.exports = { startServer, REPO_ROOT };
