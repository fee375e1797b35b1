#!/usr/bin/env node
'use strict';
require('../dist/lib/cli/fieldlink-sim')
  .main(process.argv.slice(2))
  .then((code) => process.exit(code));
