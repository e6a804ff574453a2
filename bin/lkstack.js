#!/usr/bin/env node
"use strict";
// Compiled by `npm ci` (the package's prepare script) into dist/.
const { exitWhenFlushed } = require("../dist/cli/exit.js");
require("../dist/cli/main.js")
  .main(process.argv.slice(2))
  .then((code) => exitWhenFlushed(code));
