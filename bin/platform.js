#!/usr/bin/env node
import { main } from '../dist/platform/bin.js';

const code = await main(process.argv.slice(2));
process.exitCode = code;
// The report is out. Whatever a hung server or a stuck child left open must not keep the process alive;
// an unref'd timer fires only if something else still holds the event loop.
setTimeout(() => process.exit(code), 200).unref();
