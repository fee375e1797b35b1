'use strict';
// Where the editor check finds its browser: Debian's chromium, driven by playwright-core.
const fs = require('node:fs');

const CHROMIUM = process.env.FIELDLINK_CHROMIUM || '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic'];

function browserStatus() {
  if (!fs.existsSync(CHROMIUM)) {
    return {
      ok: false,
      reason: `no Chromium at ${CHROMIUM}`,
      howToEnable: 'apt-get install chromium (Debian/Ubuntu), or set FIELDLINK_CHROMIUM to a Chromium binary',
    };
  }
  return { ok: true, executablePath: CHROMIUM, args: FLAGS };
}

module.exports = { browserStatus, CHROMIUM, FLAGS };
