'use strict';
// Loaded with --require by `npm run validate`: the Flow Library catalogue is not reachable offline,
// so node-red-dev's request for it gets an empty catalogue. Every other request goes out as usual
// (the npm registry is reachable).
const Module = require('node:module');

const CATALOGUE = 'https://catalogue.nodered.org/catalogue.json';
const originalLoad = Module._load;

Module._load = function load(request, parent, isMain) {
  const exported = originalLoad.call(this, request, parent, isMain);
  if (request === 'axios' && exported && typeof exported.get === 'function' && !exported.__fieldlinkStub) {
    const realGet = exported.get.bind(exported);
    exported.get = (url, ...rest) => (url === CATALOGUE ? Promise.resolve({ status: 200, data: { modules: [] } }) : realGet(url, ...rest));
    exported.__fieldlinkStub = true;
  }
  return exported;
};
